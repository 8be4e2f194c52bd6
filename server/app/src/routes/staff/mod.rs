//! The agency staff console: signing in (password, then the authenticator app's code), its home, the audit
//! log, and one folder per area. The rules are in [`crate::services::staff`].

pub mod applications;
pub mod audit;
pub mod code;
pub mod home;
pub mod jobs;
pub mod notices;
pub mod payments;
pub mod records;
pub mod sign_in;
pub mod sign_out;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};

/// An HttpOnly cookie of the console, for its whole path only.
fn cookie(req: &HttpRequest, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/staff")
        .http_only(true)
        .secure(req.connection_info().scheme() == "https")
        .same_site(SameSite::Strict)
        .finish()
}

/// The cookie `name` removed.
fn removed(name: &'static str) -> Cookie<'static> {
    let mut gone = Cookie::build(name, "").path("/staff").finish();
    gone.make_removal();
    gone
}
