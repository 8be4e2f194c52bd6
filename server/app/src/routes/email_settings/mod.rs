//! メールでのお知らせ通知 (`/settings/email`): the alert address, its confirmation code, the categories that
//! alert, and removal. Every page is for the signed-in citizen only.

use actix_web::HttpResponse;
use actix_web::http::header::LOCATION;

pub mod address;
pub mod categories;
pub mod confirm;
pub mod overview;
pub mod remove;
pub mod resend;

/// Post/redirect/get: a 303 to `location`.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((LOCATION, location.to_owned()))
        .finish()
}
