//! `portal`: the one binary. `portal --help` lists the commands and every setting.

use clap::{Parser, Subcommand};
use portal_server::config::{self, CONFIG_FILE_ENV, Config};
use portal_server::{graphql, http_server, startup, telemetry};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "マイナポータル (Mynaportal): the citizen portal, server-rendered and accessible",
    after_help = config::help_table()
)]
struct Cli {
    /// TOML configuration file; environment variables override its values.
    #[arg(long, global = true, env = CONFIG_FILE_ENV, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default command). Applies pending migrations first.
    Serve {
        /// Demo mode (same as PORTAL_DEMO=true): demo data for trying the portal; never in production.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write the GraphQL schema as SDL (sorted) to a file, or to standard output.
    GraphqlSchema {
        /// Where to write, e.g. schema.graphql.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref(), std::env::vars()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("portal: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let command = cli.command.unwrap_or(Command::Serve { demo: false });
    if let Command::Serve { demo: true } = command {
        config.demo = true;
    }
    if let Command::GraphqlSchema { output } = &command {
        return export_schema(output.as_deref());
    }
    telemetry::init(&config);
    let result = match command {
        Command::Migrate => run_async(config.workers, migrate(config)),
        _ => serve(config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "stopped");
            eprintln!("portal: {e}");
            ExitCode::FAILURE
        }
    }
}

fn export_schema(output: Option<&std::path::Path>) -> ExitCode {
    let sdl = graphql::sdl(&graphql::build_schema());
    match output {
        Some(path) => match std::fs::write(path, sdl) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("portal: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
        None => {
            print!("{sdl}");
            ExitCode::SUCCESS
        }
    }
}

fn run_async<F: Future<Output = anyhow::Result<()>>>(
    workers: usize,
    future: F,
) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()?
        .block_on(future)
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = startup::open_database(&config).await?;
    tracing::info!(backend = db.backend().name(), "database is up to date");
    Ok(())
}

fn serve(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let listen = config.listen;
        let (workers, shutdown_timeout) = (config.workers, config.shutdown_timeout_secs);
        let state = startup::build_state(config).await?;
        startup::spawn_purge(state.kv.clone());
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let server = http_server(state, listener, workers, shutdown_timeout)?;
        tracing::info!(url = %format!("http://{listen}/"), "serving");
        server.await?;
        tracing::info!("stopped gracefully");
        Ok(())
    })
}
