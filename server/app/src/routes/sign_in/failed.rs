use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::sign_in::{SignInFailedPage, SignInFailure};
use serde::Deserialize;

use crate::error::AppError;
use crate::render;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    reason: String,
}

pub async fn show(req: HttpRequest, query: web::Query<Query>) -> Result<HttpResponse, AppError> {
    let reason = SignInFailure::from_code(&query.reason).ok_or(AppError::NotFound)?;
    let status = match reason {
        SignInFailure::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::FORBIDDEN,
    };
    render::page(
        status,
        &SignInFailedPage {
            shell: render::shell(&req),
            reason,
        },
    )
}
