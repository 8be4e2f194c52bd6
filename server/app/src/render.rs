//! From request to page: the shell every page shares, and HTML responses.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use portal_web::{Lang, Shell};

use crate::error::AppError;
use crate::middleware::security::RequestSecrets;

pub const LANG_COOKIE: &str = "lang";

/// The language of this request: the `lang` cookie set by the language switch, else Japanese.
pub fn lang(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::from_code(c.value()))
        .unwrap_or_default()
}

pub fn shell(req: &HttpRequest) -> Shell {
    let secrets = req.extensions().get::<RequestSecrets>().cloned();
    let (nonce, csrf_token) = secrets.map(|s| (s.nonce, s.csrf_token)).unwrap_or_default();
    let path = match req.uri().path_and_query() {
        Some(pq) => pq.as_str().to_owned(),
        None => "/".to_owned(),
    };
    Shell {
        lang: lang(req),
        nonce,
        csrf_token,
        path,
        version: env!("CARGO_PKG_VERSION"),
        // Filled in by the session extractor on signed-in pages.
        session: None,
    }
}

pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

pub fn page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(html(status, template.render()?))
}
