//! `POST /oauth/revoke` (RFC 7009): an app gives up a token. The answer is 200 for any token, its own or
//! not, known or not (§2.2), so the endpoint reveals nothing.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{TokenRequest, oauth_error};
use crate::error::AppError;
use crate::services::oauth;
use crate::state::AppState;

pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let request = match TokenRequest::read(&req, &body) {
        Ok(request) => request,
        Err(answer) => return Ok(*answer),
    };
    let Some(app) = oauth::authenticate(&state, &request.client).await? else {
        return Ok(oauth_error(
            "invalid_client",
            "unknown or withdrawn app, or wrong secret",
            request.basic,
        ));
    };
    let Some(token) = request.param("token") else {
        return Ok(oauth_error(
            "invalid_request",
            "token is required",
            request.basic,
        ));
    };
    oauth::revoke_token(&state, &app, token).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
