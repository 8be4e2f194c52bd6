//! The portal service. A request goes route table ([`routes`]) → handler (one per file) → service
//! ([`services`]) → model (`portal_storage::models`). [`build_app`] is shared by `portal serve` and the
//! integration tests, which drive the real app in-process.

pub mod admin;
pub mod auth;
pub mod card_app;
pub mod cards;
pub mod config;
pub mod error;
pub mod files;
pub mod forms;
pub mod graphql;
pub mod mail;
pub mod middleware;
mod random;
pub mod render;
mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use tracing_actix_web::TracingLogger;

use crate::middleware::metrics::Metrics;
use crate::state::AppState;

/// Forms are small, but a 2,000-character Japanese message is ~18 KB once percent-encoded; leave room so an
/// over-long message gets a field error with the text kept, not a refused request.
pub(crate) const FORM_LIMIT_BYTES: usize = 256 * 1024;

/// The application: routes, shared state and middleware. Middleware listed last runs first.
pub fn build_app(
    state: AppState,
    metrics: Arc<Metrics>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::from(metrics))
        .app_data(web::FormConfig::default().limit(FORM_LIMIT_BYTES))
        .configure(routes::configure)
        .wrap(from_fn(middleware::error_pages::error_pages))
        .wrap(from_fn(middleware::security::security_headers))
        .wrap(from_fn(middleware::metrics::record))
        .wrap(actix_web::middleware::Compress::default())
        .wrap(TracingLogger::default())
}

/// An HTTP server for the app on an already bound listener: used by `portal serve`, the integration tests
/// and the load benchmark, so all three run the same thing. SIGTERM and Ctrl-C stop accepting, let open
/// requests finish for up to `shutdown_timeout_secs`, then exit.
pub fn http_server(
    state: AppState,
    listener: std::net::TcpListener,
    workers: usize,
    shutdown_timeout_secs: u64,
) -> anyhow::Result<actix_web::dev::Server> {
    let metrics = Arc::new(Metrics::new()?);
    Ok(
        actix_web::HttpServer::new(move || build_app(state.clone(), metrics.clone()))
            .workers(workers.max(1))
            .shutdown_timeout(shutdown_timeout_secs)
            .listen(listener)?
            .run(),
    )
}

/// Today's date in Japan (UTC+9, no daylight saving), the calendar the portal's users live by.
pub fn japan_today() -> time::Date {
    let jst = time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(jst).date()
}
