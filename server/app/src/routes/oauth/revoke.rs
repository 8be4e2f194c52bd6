//! `POST /oauth/revoke` (RFC 7009): an app gives up a token. The answer is 200 for any token, its own or
//! not, known or not (§2.2), so the endpoint reveals nothing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::services::oauth;
use crate::state::AppState;

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (app, token) = match super::app_and_token(&req, &state, &body).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    oauth::revoke_token(&state, &app, &token).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
