//! 申請の処理 (role `applications`): the queue of a form's sent applications, one application, changing
//! its status and writing to the citizen. The rules are the agency API's, in
//! [`crate::services::application_review`].

pub mod list;
pub mod message;
pub mod show;
pub mod status;

use portal_storage::ids::ApplicationId;

use crate::error::AppError;

/// The role these pages need.
const ROLE: &str = "applications";

fn application_id(raw: &str) -> Result<ApplicationId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// "2026年11月27日 14:05": a time in Japan in the page's language.
fn when(lang: portal_web::Lang, at: i64) -> String {
    let (date, time) = crate::services::history::japan_time(at);
    portal_web::format::datetime(lang, &date, &time)
}

/// A status in words.
fn status_name(lang: portal_web::Lang, code: &str) -> String {
    lang.get(&format!("application.status_name.{code}"))
        .unwrap_or(code)
        .to_owned()
}
