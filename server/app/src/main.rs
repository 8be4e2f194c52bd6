//! `portal`: the one binary. `portal --help` lists the commands and every setting.

use clap::{Parser, Subcommand};
use portal_server::config::{self, CONFIG_FILE_ENV, Config};
use portal_server::{admin, card_app, graphql, http_server, startup, telemetry};
use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Send queued mail only (mail workers and the notice fan-out, no HTTP), until SIGTERM or Ctrl-C. Run as
    /// many as needed, beside `serve` or instead of its own workers (PORTAL_MAIL_WORKERS=0).
    MailWorker,
    /// The card app: simulated My Number Cards (issue, sign in, revoke, reset the PIN).
    Card {
        #[command(subcommand)]
        action: CardCommand,
    },
    /// Agencies: list them, register machine clients, give an agency its pseudonym for a citizen.
    Agency {
        #[command(subcommand)]
        action: AgencyCommand,
    },
    /// 自己情報取得API: register private apps (personal health records, tax software) and list them.
    App {
        #[command(subcommand)]
        action: AppCommand,
    },
    /// The agency staff console: add a member of staff (password and authenticator key), or show the code an
    /// authenticator app would show now.
    Staff {
        #[command(subcommand)]
        action: StaffCommand,
    },
    /// 公金受取口座: the Zengin bank and branch table (show which is loaded, import a newer one).
    Banks {
        #[command(subcommand)]
        action: BanksCommand,
    },
    /// やりとり履歴: verify every hash chain, or remove rows past the retention period now.
    Linkage {
        #[command(subcommand)]
        action: LinkageCommand,
    },
    /// Create synthetic citizens with records in every category and a history of reads (deterministic for
    /// a seed; bulk inserts).
    Seed {
        /// How many citizens.
        #[arg(long, default_value_t = 100)]
        citizens: u64,
        /// Records per citizen.
        #[arg(long, default_value_t = 50)]
        records: u32,
        /// History rows (agency reads) per citizen.
        #[arg(long, default_value_t = 5)]
        reads: u32,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write the GraphQL schema as SDL (sorted) to a file, or to standard output.
    GraphqlSchema {
        /// Where to write, e.g. schema.graphql.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum CardCommand {
    /// Issue a card from the portal's test CA and register its holder as a citizen.
    Issue {
        #[arg(long)]
        name: String,
        #[arg(long)]
        kana: String,
        /// YYYY-MM-DD
        #[arg(long, value_parser = card_app::parse_date)]
        birth_date: time::Date,
        /// male or female
        #[arg(long, value_parser = card_app::parse_sex)]
        sex: portal_card::Sex,
        #[arg(long)]
        address: String,
        /// Local public body code of the municipality, 6 digits.
        #[arg(long, default_value = "131016")]
        municipality: String,
        /// Authentication PIN: 4 digits.
        #[arg(long)]
        pin: String,
        /// Signature password: 6-16 of A-Z and 0-9.
        #[arg(long)]
        password: String,
        /// card or smartphone
        #[arg(long, default_value = "card", value_parser = card_app::parse_kind)]
        kind: portal_card::CardKind,
        /// The card's own expiry, YYYY-MM-DD (the certificates end at the 5th birthday or here).
        #[arg(long, value_parser = card_app::parse_date)]
        expiry: Option<time::Date>,
        /// Where to write the card file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Answer a challenge: the code (or QR URL) shown on the sign-in page, a confirmation page or an
    /// application's signing page. Asks for the PIN, or for the signature password when signing an
    /// application (after showing what is signed).
    Sign {
        #[arg(long, value_name = "FILE")]
        card: PathBuf,
        #[arg(long)]
        code: String,
        /// The portal's address.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// The PIN, for scripts; asked on the terminal when absent.
        #[arg(long)]
        pin: Option<String>,
        /// The signature password (6-16 of A-Z and 0-9) when signing an application, for scripts; asked on
        /// the terminal when absent.
        #[arg(long)]
        password: Option<String>,
    },
    /// Revoke the card's authentication certificate (lost card); the portal refuses it within a minute.
    Revoke {
        #[arg(long, value_name = "FILE")]
        card: PathBuf,
    },
    /// Change the authentication PIN (needs the current one; wrong tries count).
    ChangePin {
        #[arg(long, value_name = "FILE")]
        card: PathBuf,
        #[arg(long)]
        old_pin: String,
        #[arg(long)]
        new_pin: String,
    },
    /// Reset a locked or forgotten PIN with the signature password, as at a convenience-store kiosk.
    ResetPin {
        #[arg(long, value_name = "FILE")]
        card: PathBuf,
        #[arg(long)]
        password: String,
        #[arg(long)]
        new_pin: String,
    },
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Every agency: code, kind, names.
    List,
    /// Register a machine client (OAuth2 client credentials) for an agency; prints its id and secret once.
    AddClient {
        /// The agency's code, e.g. 131016 or nta (see `portal agency list`).
        #[arg(long)]
        agency: String,
        /// What the client is, e.g. "tax system, nightly batch".
        #[arg(long)]
        label: String,
    },
    /// Give an agency its pseudonym (機関別符号) for a citizen, named by id or by their card file.
    Pseudonym {
        #[arg(long)]
        agency: String,
        #[arg(long, conflicts_with = "card")]
        citizen: Option<portal_storage::ids::CitizenId>,
        #[arg(long, value_name = "FILE")]
        card: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a member of an agency's staff; prints their login and the authenticator key (shown once).
    Add {
        /// The agency's code (see `portal agency list`).
        #[arg(long)]
        agency: String,
        /// What they sign in with (an e-mail address or staff number).
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// A role (repeat for more): notices, records, applications, payments.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// At least 12 characters; read from the NEW_STAFF_PASSWORD variable when not given (so it stays out
        /// of the shell history).
        #[arg(long, env = "NEW_STAFF_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// The code an authenticator app holding this key shows now (a stand-in for the app, for tests and
    /// demos).
    Code {
        /// The base32 key `staff add` printed.
        #[arg(long)]
        secret: String,
    },
}

#[derive(Subcommand)]
enum AppCommand {
    /// Register an app; prints its client id and, for a confidential app, its secret (shown once).
    Register {
        #[arg(long)]
        name: String,
        /// The company or body that runs it.
        #[arg(long)]
        operator: String,
        /// Its one purpose, as citizens will read it on the consent page.
        #[arg(long)]
        purpose: String,
        /// A scope it may ask for (repeat for more): basic_info, health_checkups, prescriptions,
        /// medical_expenses, health_insurance, deductions, income_tax, pension, notices_read.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// An exact redirect URI (repeat for more): https, or http on the loopback address.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// A public app (on the citizen's device): no secret, PKCE alone.
        #[arg(long)]
        public: bool,
    },
    /// Every registered app: client id, kind, name, operator, scopes, and whether it was withdrawn.
    List,
    /// Withdraw an app: citizens can no longer consent to it, every live consent to it is revoked and its
    /// tokens stop working at once.
    Withdraw {
        /// The app's client id (see `portal app list`).
        #[arg(value_name = "CLIENT_ID")]
        client_id: String,
    },
}

#[derive(Subcommand)]
enum BanksCommand {
    /// The table loaded: its date and size.
    Status,
    /// Load a newer table from a zengin-code data folder (banks.json, branches/<bank code>.json,
    /// updated_at). Accounts whose bank code, branch code or branch kana changed or went become invalid,
    /// and their citizens are told to register again.
    Import {
        /// The data folder, e.g. zengin-code/source-data/data.
        #[arg(value_name = "FOLDER")]
        folder: PathBuf,
    },
    /// Read a Zengin 総合振込 file (as a payment batch or a benefit approval builds it) and print its
    /// header, payments and totals as JSON; exits 1 when the file is not well formed.
    ReadTransfer {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum LinkageCommand {
    /// Verify every citizen's hash chain; exits 1 and names the first broken row.
    Verify,
    /// Remove rows older than the retention period (normally done daily by the server).
    Prune,
}

fn run_admin(config: Config, command: Command) -> anyhow::Result<bool> {
    let workers = config.workers;
    run_async(workers, async move {
        match command {
            Command::Agency {
                action: AgencyCommand::List,
            } => admin::list(&config).await?,
            Command::Agency {
                action: AgencyCommand::AddClient { agency, label },
            } => {
                admin::add_client(&config, &agency, &label).await?;
            }
            Command::Agency {
                action:
                    AgencyCommand::Pseudonym {
                        agency,
                        citizen,
                        card,
                    },
            } => {
                admin::pseudonym(&config, &agency, citizen, card.as_deref()).await?;
            }
            Command::App {
                action:
                    AppCommand::Register {
                        name,
                        operator,
                        purpose,
                        scopes,
                        redirect_uris,
                        public,
                    },
            } => {
                let new = portal_server::services::apps::NewApp {
                    name,
                    operator,
                    purpose,
                    scopes,
                    redirect_uris,
                    confidential: !public,
                };
                return admin::register_app(config, new).await;
            }
            Command::Staff {
                action:
                    StaffCommand::Add {
                        agency,
                        login,
                        name,
                        roles,
                        password,
                    },
            } => return admin::add_staff(config, &agency, &login, &name, &roles, &password).await,
            Command::Staff {
                action: StaffCommand::Code { secret },
            } => return Ok(admin::staff_code(&secret)),
            Command::App {
                action: AppCommand::List,
            } => admin::list_apps(config).await?,
            Command::App {
                action: AppCommand::Withdraw { client_id },
            } => return admin::withdraw_app(config, &client_id).await,
            Command::Banks {
                action: BanksCommand::Status,
            } => admin::banks_status(config).await?,
            Command::Banks {
                action: BanksCommand::Import { folder },
            } => admin::banks_import(config, &folder).await?,
            Command::Banks {
                action: BanksCommand::ReadTransfer { file },
            } => admin::read_transfer(&file)?,
            Command::Linkage {
                action: LinkageCommand::Verify,
            } => return admin::verify(&config).await,
            Command::Linkage {
                action: LinkageCommand::Prune,
            } => admin::prune(&config).await?,
            Command::Seed {
                citizens,
                records,
                reads,
                seed,
            } => {
                let plan = portal_server::services::seed::Plan {
                    citizens,
                    records_per_citizen: records,
                    reads_per_citizen: reads,
                    seed,
                };
                admin::seed(&config, plan).await?;
            }
            _ => {}
        }
        Ok(true)
    })
}

fn run_card(config: Config, action: CardCommand) -> anyhow::Result<()> {
    match action {
        CardCommand::Issue {
            name,
            kana,
            birth_date,
            sex,
            address,
            municipality,
            pin,
            password,
            kind,
            expiry,
            out,
        } => {
            let expiry = expiry.unwrap_or_else(|| {
                portal_server::japan_today().saturating_add(time::Duration::days(3652))
            });
            let request = portal_server::services::cards::NewCard {
                holder: portal_card::Holder {
                    name,
                    name_kana: kana,
                    address,
                    birth_date,
                    sex,
                },
                municipality_code: municipality,
                kind,
                pin,
                password,
                expiry,
            };
            run_async(1, card_app::issue(&config, request, &out))
        }
        CardCommand::Sign {
            card,
            code,
            url,
            pin,
            password,
        } => run_async(1, card_app::sign(&url, &card, &code, pin, password)),
        CardCommand::Revoke { card } => card_app::revoke(&config, &card),
        CardCommand::ChangePin {
            card,
            old_pin,
            new_pin,
        } => card_app::change_pin(&card, &old_pin, &new_pin),
        CardCommand::ResetPin {
            card,
            password,
            new_pin,
        } => card_app::reset_pin(&card, &password, &new_pin),
    }
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
    if let Command::Card { action } = command {
        return match run_card(config, action) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("portal card: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    if matches!(
        command,
        Command::Agency { .. }
            | Command::App { .. }
            | Command::Banks { .. }
            | Command::Staff { .. }
            | Command::Linkage { .. }
            | Command::Seed { .. }
    ) {
        return match run_admin(config, command) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("portal: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    telemetry::init(&config);
    let result = match command {
        Command::Migrate => run_async(config.workers, migrate(config)),
        Command::MailWorker => run_async(config.mail_workers.max(1), async move {
            portal_server::services::outbox::run_mail_worker(config).await?;
            Ok(())
        }),
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

fn run_async<T, F: Future<Output = anyhow::Result<T>>>(
    workers: usize,
    future: F,
) -> anyhow::Result<T> {
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
        // The bank table is stored on the first start (30,000 rows): done before serving, so no request
        // waits for it, and on SQLite no other write waits behind that one transaction.
        state.banks.get(&state.db).await?;
        startup::spawn_purge(state.kv.clone());
        startup::spawn_linkage_retention(state.db.clone(), state.config.linkage_retention_days);
        startup::spawn_linkage_fold(state.db.clone());
        startup::spawn_record_imports(state.clone());
        let mail = portal_server::services::outbox::MailBackground::start(
            &state.config,
            state.db.clone(),
            state.mailer.clone(),
            state.mail_from.clone(),
        );
        portal_server::cards::spawn_refresh(state.cards.clone());
        if state.config.demo {
            let cards = portal_server::services::demo::ensure_cards(&state).await?;
            portal_server::services::demo::ensure_data(&state, &cards).await?;
            println!("Demo mode: simulated My Number Cards (not real cards; never use demo mode in production):");
            for card in &cards {
                println!(
                    "  {}  PIN {}  signature password {}  card file {}",
                    card.name,
                    card.pin,
                    card.password,
                    card.file.display()
                );
            }
            println!("Sign in at http://{listen}/sign-in and choose the demo card reader.");
            let staff = portal_server::services::demo::ensure_staff(&state).await?;
            println!(
                "Demo staff console (千代田区, every role): http://{listen}/staff  login {}  password {}",
                staff.login, staff.password
            );
            println!(
                "  its authenticator code: portal staff code --secret {}",
                staff.secret
            );
        }
        let listener = std::net::TcpListener::bind(listen)
            .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
        let server = http_server(state, listener, workers, shutdown_timeout)?;
        tracing::info!(url = %format!("http://{listen}/"), "serving");
        server.await?;
        // After the HTTP server has drained: workers finish the mail in flight and give back the rest.
        mail.stop().await;
        tracing::info!("stopped gracefully");
        Ok(())
    })
}
