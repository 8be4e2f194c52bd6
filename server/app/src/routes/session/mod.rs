pub mod extend;
pub mod sign_out;
pub mod signed_out;
pub mod warning;

use actix_web::cookie::Cookie;

use crate::auth::session::SESSION_COOKIE;

/// Removes the session cookie from the browser.
pub fn removal() -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    cookie.make_removal();
    cookie
}
