//! The route table: every URL the portal answers, and the handler (one per file) behind it.

mod account;
mod apply;
mod assets;
mod benefits;
mod card;
mod connected_apps;
mod email_settings;
mod feedback;
mod graphql;
mod history;
mod language;
mod my_data;
mod my_page;
mod not_found;
mod notices;
mod oauth;
mod ops;
mod pages;
mod proxies;
mod services;
mod session;
pub mod sign_in;
mod staff;
mod unsubscribe;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::home::show))
        .route("/accessibility", web::get().to(pages::accessibility::show))
        // ぴったりサービス: the catalogue, open to anyone.
        .route("/services", web::get().to(services::list::show))
        .route("/services/{id}", web::get().to(services::show::show))
        // Applying online: start (or continue), question pages saved one by one, check, and after.
        .service(
            web::resource("/apply/{form}")
                .route(web::get().to(apply::start::show))
                .route(web::post().to(apply::start::submit)),
        )
        .service(
            web::resource("/benefits/{id}")
                .route(web::get().to(benefits::show::show))
                .route(web::post().to(benefits::claim::submit)),
        )
        .route("/applications", web::get().to(apply::list::show))
        .route("/applications/{id}", web::get().to(apply::show::show))
        .route(
            "/applications/{id}/withdraw",
            web::post().to(apply::withdraw::submit),
        )
        .route(
            "/applications/{id}/messages",
            web::post().to(apply::message::submit),
        )
        .service(
            web::resource("/applications/{id}/pages/{page}")
                .route(web::get().to(apply::page::show))
                .route(web::post().to(apply::page::submit)),
        )
        // An attachment of one's own application: the field id of a file field (never inside a group).
        .route(
            "/applications/{id}/files/{field}",
            web::get().to(apply::file::download),
        )
        .service(
            web::resource("/applications/{id}/check")
                .route(web::get().to(apply::check::show))
                .route(web::post().to(apply::check::submit)),
        )
        // Signing with the card's signature certificate before sending (電子署名), then sending.
        .service(
            web::resource("/applications/{id}/sign")
                .route(web::get().to(apply::sign::show))
                .route(web::post().to(apply::sign::submit)),
        )
        .route(
            "/applications/{id}/sign/status",
            web::get().to(apply::sign_status::show),
        )
        .route("/components", web::get().to(pages::components::show))
        .service(
            web::resource("/feedback")
                .route(web::get().to(feedback::form::show))
                .route(web::post().to(feedback::submit::submit)),
        )
        .route("/feedback/sent", web::get().to(feedback::sent::show))
        .route("/sign-in", web::get().to(sign_in::page::show))
        .route("/sign-in/qr/{file}", web::get().to(sign_in::qr::show))
        .route("/sign-in/status", web::get().to(sign_in::status::show))
        .route(
            "/sign-in/continue",
            web::post().to(sign_in::continue_::submit),
        )
        .route("/sign-in/failed", web::get().to(sign_in::failed::show))
        .service(
            web::resource("/sign-in/demo-reader")
                .route(web::get().to(sign_in::demo_reader::show))
                .route(web::post().to(sign_in::demo_reader::submit)),
        )
        .service(
            web::resource("/sign-in/demo-reader/sign")
                .route(web::get().to(sign_in::demo_signer::show))
                .route(web::post().to(sign_in::demo_signer::submit)),
        )
        .route(
            "/card/challenge/{code}",
            web::get().to(card::challenge::show),
        )
        .route("/card/response", web::post().to(card::response::submit))
        .route("/my-page", web::get().to(my_page::show))
        // わたしの情報. Category codes are lower-case words, so `.csv` and `.json` never match as one.
        .route("/my-data", web::get().to(my_data::overview::show))
        .route(
            "/my-data/{category:[a-z_]+}.csv",
            web::get().to(my_data::csv::download),
        )
        .route(
            "/my-data/{category:[a-z_]+}.json",
            web::get().to(my_data::json::download),
        )
        .route(
            "/my-data/{category:[a-z_]+}",
            web::get().to(my_data::category::show),
        )
        .route("/history", web::get().to(history::list::show))
        // 公金受取口座: finders (GET forms), the details form, check your answers, and the card
        // confirmation that a change or deletion needs (`change` or `delete`).
        .route("/account", web::get().to(account::overview::show))
        .route("/account/bank", web::get().to(account::bank::show))
        .route("/account/branch", web::get().to(account::branch::show))
        .service(
            web::resource("/account/details")
                .route(web::get().to(account::details::show))
                .route(web::post().to(account::details::submit)),
        )
        .service(
            web::resource("/account/check")
                .route(web::get().to(account::check::show))
                .route(web::post().to(account::check::submit)),
        )
        .route("/account/delete", web::get().to(account::delete::show))
        .service(
            web::resource("/account/confirm/{action}")
                .route(web::get().to(account::confirm::show))
                .route(web::post().to(account::confirm::submit)),
        )
        .route(
            "/account/confirm/{action}/status",
            web::get().to(account::status::show),
        )
        // メールでのお知らせ通知 (signed in), and the alerts' unsubscribe link (anyone holding it).
        .route(
            "/settings/email",
            web::get().to(email_settings::overview::show),
        )
        .service(
            web::resource("/settings/email/address")
                .route(web::get().to(email_settings::address::show))
                .route(web::post().to(email_settings::address::submit)),
        )
        .service(
            web::resource("/settings/email/confirm")
                .route(web::get().to(email_settings::confirm::show))
                .route(web::post().to(email_settings::confirm::submit)),
        )
        .route(
            "/settings/email/resend",
            web::post().to(email_settings::resend::submit),
        )
        .service(
            web::resource("/settings/email/categories")
                .route(web::get().to(email_settings::categories::show))
                .route(web::post().to(email_settings::categories::submit)),
        )
        .service(
            web::resource("/settings/email/remove")
                .route(web::get().to(email_settings::remove::show))
                .route(web::post().to(email_settings::remove::submit)),
        )
        .service(
            web::resource("/unsubscribe/{token}")
                .route(web::get().to(unsubscribe::show::show))
                .route(web::post().to(unsubscribe::submit::submit)),
        )
        .route("/history.csv", web::get().to(history::csv::download))
        // お知らせ. Notice ids are UUIDs; the archive buttons post back to the notice's own address.
        .route("/notices", web::get().to(notices::list::show))
        .route("/notices/{id}", web::get().to(notices::show::show))
        .route(
            "/notices/{id}/archive",
            web::post().to(notices::archive::archive),
        )
        .route(
            "/notices/{id}/unarchive",
            web::post().to(notices::archive::unarchive),
        )
        .route("/sign-out", web::post().to(session::sign_out::here))
        .route(
            "/sign-out/everywhere",
            web::post().to(session::sign_out::everywhere),
        )
        .route("/signed-out", web::get().to(session::signed_out::show))
        .route("/session/warning", web::get().to(session::warning::show))
        .route("/session/extend", web::post().to(session::extend::submit))
        .route("/language/{code}", web::get().to(language::switch))
        .route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/healthz", web::get().to(ops::healthz::check))
        .route("/readyz", web::get().to(ops::readyz::check))
        .route("/metrics", web::get().to(ops::metrics::export))
        // The authorization server: apps' consent flow, tokens, revocation, introspection, metadata.
        .service(
            web::resource("/oauth/authorize")
                .route(web::get().to(oauth::authorize::show))
                .route(web::post().to(oauth::authorize::decide)),
        )
        .route("/oauth/token", web::post().to(oauth::token::issue))
        .route("/oauth/revoke", web::post().to(oauth::revoke::revoke))
        .route(
            "/oauth/introspect",
            web::post().to(oauth::introspect::introspect),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            web::get().to(oauth::metadata::show),
        )
        // 連携中のサービス: the apps the citizen consented to.
        .route("/settings/apps", web::get().to(connected_apps::list::show))
        .route(
            "/settings/apps/{consent}/revoke",
            web::post().to(connected_apps::revoke::submit),
        )
        // 代理人: both lists, naming a proxy (its code shown once), accepting with a code and a
        // confirmation, ending one, and switching to and from acting for someone.
        .route("/settings/proxies", web::get().to(proxies::list::show))
        .service(
            web::resource("/settings/proxies/new")
                .route(web::get().to(proxies::new::show))
                .route(web::post().to(proxies::new::submit)),
        )
        .service(
            web::resource("/settings/proxies/accept")
                .route(web::get().to(proxies::accept::show))
                .route(web::post().to(proxies::accept::submit)),
        )
        .route(
            "/settings/proxies/accept/confirm",
            web::post().to(proxies::confirm::submit),
        )
        .route(
            "/settings/proxies/stop",
            web::post().to(proxies::stop::submit),
        )
        .route(
            "/settings/proxies/{id}/end",
            web::post().to(proxies::end::submit),
        )
        .route(
            "/settings/proxies/{id}/act",
            web::post().to(proxies::act::submit),
        )
        // The agency staff console: password, then the authenticator app's code; then each area by role.
        .route("/staff", web::get().to(staff::home::show))
        .service(
            web::resource("/staff/sign-in")
                .route(web::get().to(staff::sign_in::show))
                .route(web::post().to(staff::sign_in::submit)),
        )
        .service(
            web::resource("/staff/sign-in/code")
                .route(web::get().to(staff::code::show))
                .route(web::post().to(staff::code::submit)),
        )
        .route("/staff/sign-out", web::post().to(staff::sign_out::submit))
        .route("/staff/audit", web::get().to(staff::audit::show))
        .route("/staff/notices", web::get().to(staff::notices::list::show))
        .service(
            web::resource("/staff/notices/new")
                .route(web::get().to(staff::notices::new::show))
                .route(web::post().to(staff::notices::new::submit)),
        )
        .route(
            "/staff/notices/{id:[0-9a-f-]+}.json",
            web::get().to(staff::notices::figures::show),
        )
        .route(
            "/staff/notices/{id}",
            web::get().to(staff::notices::show::show),
        )
        .route(
            "/staff/notices/{id}/withdraw",
            web::post().to(staff::notices::withdraw::submit),
        )
        .route(
            "/staff/applications",
            web::get().to(staff::applications::list::show),
        )
        .route(
            "/staff/applications/{id}",
            web::get().to(staff::applications::show::show),
        )
        .route(
            "/staff/applications/{id}/status",
            web::post().to(staff::applications::status::submit),
        )
        .route(
            "/staff/applications/{id}/messages",
            web::post().to(staff::applications::message::submit),
        )
        .service(
            web::resource("/staff/payments")
                .route(web::get().to(staff::payments::form::show))
                .route(web::post().to(staff::payments::build::submit)),
        )
        .route(
            "/staff/payments/batches/{id}",
            web::get().to(staff::payments::batch::show),
        )
        .route(
            "/staff/payments/batches/{id}/file",
            web::get().to(staff::payments::file::download),
        )
        // 情報の登録: a CSV file checked into a job in preview, then published by the background worker.
        .service(
            web::resource("/staff/records")
                .route(web::get().to(staff::records::show::show))
                .route(web::post().to(staff::records::submit::submit)),
        )
        // Before `/staff/jobs/{id}`, which would take `….json` as an id.
        .route(
            "/staff/jobs/{id}.json",
            web::get().to(staff::jobs::status::show),
        )
        .route("/staff/jobs/{id}", web::get().to(staff::jobs::show::show))
        .route(
            "/staff/jobs/{id}/start",
            web::post().to(staff::jobs::start::submit),
        )
        .route(
            "/staff/jobs/{id}/discard",
            web::post().to(staff::jobs::discard::submit),
        )
        .service(
            web::resource("/graphql")
                .route(web::post().to(graphql::execute))
                .route(web::get().to(graphql::execute)),
        )
        .default_service(web::to(not_found::not_found));
}
