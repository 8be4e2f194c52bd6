pub mod continue_;
pub mod demo_reader;
pub mod demo_signer;
pub mod failed;
pub mod page;
pub mod qr;
pub mod status;

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, SameSite};

/// A secret of this browser, so only the browser that asked for a challenge can collect its session.
pub const BROWSER_COOKIE: &str = "signin_browser";

pub fn browser_secret(req: &HttpRequest) -> Option<String> {
    req.cookie(BROWSER_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
}

pub fn browser_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(BROWSER_COOKIE, value)
        .path("/sign-in")
        .max_age(Duration::minutes(10))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .finish()
}

/// The socket peer, for rate limits and the audit log (forwarded headers are not trusted).
pub fn client_addr(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
