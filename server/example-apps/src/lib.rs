//! Two example private apps for the portal's 自己情報取得API: what they share.
//!
//! Each app is an OAuth2 client of the portal (authorization code with PKCE S256, a random `state`, the
//! refresh token when the access token expires) and reads the citizen's records over the portal's GraphQL.
//! This library holds the parts both binaries use: the OAuth client and the browser sessions ([`portal`]),
//! the GraphQL call and how its answers are classified ([`graphql`], documents in [`queries`]), HTML
//! helpers and the page layout ([`html`]), the pages every app has ([`pages`]: start, connect, callback,
//! disconnect), and each app's pure computations ([`phr`], [`accounting`]).
//!
//! These are examples: sessions live in memory, and the apps speak plain http on the loopback address.

pub mod accounting;
pub mod error;
pub mod graphql;
pub mod html;
pub mod pages;
pub mod phr;
pub mod portal;
pub mod queries;
pub mod session;

pub use error::Error;
pub use portal::{AppInfo, Config, Portal};

/// Logs to standard error; `RUST_LOG` chooses the level (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// An app binary's whole life: logging, the portal client, serving until stopped; a start-up failure is
/// printed after `name` and ends the process with a failure.
pub async fn run(
    name: &str,
    info: AppInfo,
    config: Config,
    routes: fn(&mut actix_web::web::ServiceConfig),
) -> std::process::ExitCode {
    init_tracing();
    let listen = config.listen;
    let result = match Portal::new(info, &config) {
        Ok(portal) => serve(portal, listen, routes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Serves an app: the shared pages, the app's own (`routes`), and a 404 for the rest.
pub async fn serve(
    portal: Portal,
    listen: std::net::SocketAddr,
    routes: fn(&mut actix_web::web::ServiceConfig),
) -> Result<(), Error> {
    let portal = actix_web::web::Data::new(portal);
    tracing::info!(
        app = portal.info.name,
        %listen,
        redirect_uri = %format!("http://{listen}/callback"),
        "listening"
    );
    actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(portal.clone())
            .configure(pages::configure)
            .configure(routes)
            .default_service(actix_web::web::to(pages::not_found))
    })
    .workers(2)
    .bind(listen)?
    .run()
    .await?;
    Ok(())
}

/// This year in Japan (UTC+9).
pub fn current_year_in_japan() -> i32 {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+9))
        .year()
}
