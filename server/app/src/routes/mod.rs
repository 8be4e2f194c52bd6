//! The route table: every URL the portal answers, and the handler (one per file) behind it.

mod assets;
mod feedback;
mod graphql;
mod language;
mod not_found;
mod ops;
mod pages;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home::show))
        .route("/accessibility", web::get().to(pages::accessibility::show))
        .route("/components", web::get().to(pages::components::show))
        .service(
            web::resource("/feedback")
                .route(web::get().to(feedback::form::show))
                .route(web::post().to(feedback::submit::submit)),
        )
        .route("/feedback/sent", web::get().to(feedback::sent::show))
        .route("/language/{code}", web::get().to(language::switch))
        .route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/healthz", web::get().to(ops::healthz::check))
        .route("/readyz", web::get().to(ops::readyz::check))
        .route("/metrics", web::get().to(ops::metrics::export))
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::execute))
                .route(web::get().to(graphql::execute)),
        )
        .default_service(web::to(not_found::not_found));
}
