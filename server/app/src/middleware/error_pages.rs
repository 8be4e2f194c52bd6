//! Turns bodiless or plain-text error responses (ours, or actix's own: bad form, wrong method) into the HTML
//! error page in the user's language. JSON endpoints are left alone.

use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use portal_web::pages::{ActingRefused, ErrorPage};

use crate::auth::extract::ActingRefusal;
use crate::auth::return_to::{self, ReturnTo};
use crate::render;
use crate::services::proxies::NotWhileActing;

const MACHINE_PATHS: &[&str] = &[
    "/graphql",
    "/oauth/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/card/",
    "/sign-in/status",
];

pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let status = res.status();
    // A signed-out visit to a citizen's page: keep the page for after sign-in.
    let kept = res.request().extensions().get::<ReturnTo>().cloned();
    let to_sign_in = status == actix_web::http::StatusCode::SEE_OTHER
        && res
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l.as_bytes() == b"/sign-in");
    // Only a page that sent the visitor to sign in: one that merely shows more when signed in does not.
    if let Some(ReturnTo(path)) = kept.filter(|_| to_sign_in) {
        let cookie = return_to::cookie(res.request(), &path);
        // Percent-encoded, because request cookies are read percent-decoded: written plain, a query's own
        // `%26` or `%3D` would come back as `&` or `=` and the page returned to would not be the one asked
        // for (an authorization request's state and redirect URI, for one).
        match header::HeaderValue::from_str(&cookie.encoded().to_string()) {
            Ok(value) => {
                res.headers_mut().append(header::SET_COOKIE, value);
            }
            Err(e) => tracing::warn!(error = %e, "the page to return to could not be kept"),
        }
    }
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let machine = MACHINE_PATHS
        .iter()
        .any(|p| res.request().path().starts_with(p));
    if !(status.is_client_error() || status.is_server_error()) || !plain || machine {
        return Ok(res.map_into_left_body());
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let (req, _) = res.into_parts();
    let acting = req
        .extensions()
        .get::<ActingRefusal>()
        .map(|refusal| ActingRefused {
            principal_name: refusal.principal_name.clone(),
            reason: match refusal.reason {
                NotWhileActing::PrincipalsOwn => "principals_own",
                NotWhileActing::ReadOnly => "read_only",
                NotWhileActing::Ended => "ended",
            },
        });
    let page = ErrorPage {
        shell: render::shell(&req),
        status: status.as_u16(),
        acting,
    };
    let mut response = render::page(status, &page).unwrap_or_else(|e| {
        tracing::error!(error = %e, "rendering the error page failed");
        render::html(
            status,
            String::from(
                "<!DOCTYPE html><html lang=\"ja\"><title>エラー</title><h1>エラー</h1></html>",
            ),
        )
    });
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    Ok(ServiceResponse::new(req, response).map_into_right_body())
}
