use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::browser_secret;
use crate::auth::return_to;
use crate::auth::session::SESSION_COOKIE;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::services::sign_in::{self, Status};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// The waiting browser collects its sign-in: a new session cookie, then the page it asked for before
/// signing in, or マイページ.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    finish(&req, &state, &form.code).await
}

/// Hands this browser its session if its challenge was answered; shows the waiting page again if not yet.
pub async fn finish(
    req: &HttpRequest,
    state: &AppState,
    code: &str,
) -> Result<HttpResponse, AppError> {
    let secret = browser_secret(req).unwrap_or_default();
    match sign_in::complete(state, code, &secret).await? {
        Status::SignedIn(citizen) => {
            let token = state.sessions().create(citizen).await?;
            let cookie = Cookie::build(SESSION_COOKIE, token)
                .path("/")
                .http_only(true)
                .secure(req.connection_info().scheme() == "https")
                .same_site(SameSite::Lax)
                .finish();
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, return_to::target(req)))
                .cookie(cookie)
                .cookie(return_to::spent())
                .finish())
        }
        Status::Pending => {
            let code = sign_in::normalize_code(code);
            render::page(StatusCode::OK, &super::page::page(req, state, &code, true))
        }
        Status::Failed(failure) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/sign-in/failed?reason={}", failure.code()),
            ))
            .finish()),
    }
}
