//! Security headers on every response, a fresh CSP nonce per request, and the CSRF cookie.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

use crate::random::token;

pub const CSRF_COOKIE: &str = "csrf";

/// Per-request secrets the page shell needs.
#[derive(Debug, Clone)]
pub struct RequestSecrets {
    pub nonce: String,
    pub csrf_token: String,
}

/// Another origin a page's forms may lead to: the consent page's answer redirects to the app that asked.
/// Handlers put it in the request's extensions.
#[derive(Debug, Clone)]
pub struct FormActionAlso(pub String);

fn is_well_formed_token(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let nonce = token(16);
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| is_well_formed_token(v));
    let csrf_token = existing.clone().unwrap_or_else(|| token(32));
    let https = req.connection_info().scheme() == "https";
    req.extensions_mut().insert(RequestSecrets {
        nonce: nonce.clone(),
        csrf_token: csrf_token.clone(),
    });

    let mut res = next.call(req).await?;

    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if existing.is_none() && is_html {
        let cookie = Cookie::build(CSRF_COOKIE, csrf_token)
            .path("/")
            .http_only(true)
            .secure(https)
            .same_site(SameSite::Strict)
            .finish();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }

    // Only an origin without spaces or semicolons can be added to the directive.
    let form_action_also = res
        .request()
        .extensions()
        .get::<FormActionAlso>()
        .map(|o| o.0.clone())
        .filter(|o| !o.contains([' ', ';', ',', '\'']))
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'{form_action_also}; frame-ancestors 'none'"
    );
    let wants_cache_control = is_html && !res.headers().contains_key(header::CACHE_CONTROL);
    let headers = res.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::CONTENT_SECURITY_POLICY, &csp);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    if wants_cache_control {
        // Pages will carry personal data once signed in; no shared cache may keep them.
        set(header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}
