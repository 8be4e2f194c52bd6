use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::Lang;
use serde::Deserialize;

use crate::error::AppError;
use crate::render::LANG_COOKIE;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    next: String,
}

/// Only paths on this site are followed, so the switch cannot be used to send users elsewhere.
fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\');
    if local { next } else { "/" }
}

/// The header's language switch: remembers the choice in a cookie and returns to the same page.
pub async fn switch(
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let lang = Lang::from_code(&code).ok_or(AppError::NotFound)?;
    let cookie = Cookie::build(LANG_COOKIE, lang.code())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .secure(req.connection_info().scheme() == "https")
        .http_only(true)
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, safe_next(&query.next)))
        .cookie(cookie)
        .finish())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/feedback?x=1"), "/feedback?x=1");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
