//! Back to the page asked for after signing in: a citizen who follows a link to a benefit, or whose
//! session ran out mid-application, lands there again instead of on マイページ. The page is kept in a
//! short-lived cookie (the sign-in page's address stays plain), and only a path on this site is followed.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpMessage, HttpRequest};

pub const RETURN_COOKIE: &str = "return_to";
const LONGEST: usize = 1_000;
/// Long enough to find the card and sign in.
const KEPT: Duration = Duration::minutes(30);

/// The page a signed-out GET asked for, left in the request for the response to keep.
#[derive(Debug, Clone)]
pub struct ReturnTo(pub String);

/// A path on this site that is worth returning to: not another origin (`//host`, `/\host`), not the
/// sign-in pages themselves, not absurdly long.
pub fn is_safe(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && !path.starts_with("/sign-in")
        && path.len() <= LONGEST
}

/// Notes the page a signed-out citizen asked for, when it is a page (a GET) worth coming back to.
pub fn remember(req: &HttpRequest) {
    if req.method() != actix_web::http::Method::GET {
        return;
    }
    let wanted = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    if is_safe(&wanted) {
        req.extensions_mut().insert(ReturnTo(wanted));
    }
}

/// The cookie that keeps `path` until sign-in.
pub fn cookie(req: &HttpRequest, path: &str) -> Cookie<'static> {
    Cookie::build(RETURN_COOKIE, path.to_owned())
        .path("/")
        .http_only(true)
        .secure(req.connection_info().scheme() == "https")
        .same_site(SameSite::Lax)
        .max_age(KEPT)
        .finish()
}

/// Where to go after signing in: the page kept, if it is still safe, else マイページ.
pub fn target(req: &HttpRequest) -> String {
    req.cookie(RETURN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|p| is_safe(p))
        .unwrap_or_else(|| "/my-page".to_owned())
}

/// Clears the kept page once used.
pub fn spent() -> Cookie<'static> {
    let mut cookie = Cookie::build(RETURN_COOKIE, "").path("/").finish();
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for good in ["/benefits/01a2", "/applications?page=2", "/notices/x"] {
            assert!(is_safe(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/sign-in",
            "/sign-in/continue",
            "benefits",
            "/a\nb",
        ] {
            assert!(!is_safe(bad), "{bad:?}");
        }
        assert!(!is_safe(&format!("/{}", "a".repeat(1_000))));
    }
}
