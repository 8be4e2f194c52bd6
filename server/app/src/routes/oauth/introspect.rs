//! `POST /oauth/introspect` (RFC 7662): an app asks whether one of its tokens is live. Only the app's own
//! tokens are ever described; anything else is `{"active": false}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::services::oauth;
use crate::state::AppState;

pub async fn introspect(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let (app, token) = match super::app_and_token(&req, &state, &body).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let answer = oauth::introspect(&state, &app, &token).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}
