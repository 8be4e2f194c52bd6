//! `POST /oauth/token`: client credentials for agency machine clients (RFC 6749 §4.4); the authorization
//! code (§4.1, with PKCE) and refresh token (§6) grants for private apps. Errors are answered as §5.2 says.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{TokenRequest, oauth_error};
use crate::error::AppError;
use crate::routes::sign_in::client_addr;
use crate::services::agencies::{self, TOKEN_TTL};
use crate::services::oauth::{self, Issued, OAuthError};
use crate::state::AppState;

/// Token requests allowed per client address per minute. Each checks an argon2id hash (tens of
/// milliseconds of CPU), so without a limit the endpoint would be a cheap way to load the server; a real
/// agency system asks once per token lifetime.
const REQUESTS_PER_MINUTE: i64 = 60;

fn tokens(issued: &Issued) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(issued)
}

pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let window = std::time::Duration::from_secs(60);
    if state
        .kv
        .incr(&format!("rl:oauth-token:{}", client_addr(&req)), window)
        .await?
        > REQUESTS_PER_MINUTE
    {
        return Ok(HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, "60"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({
                "error": "temporarily_unavailable",
                "error_description": "too many token requests from this address; retry after a minute",
            })));
    }
    let request = match TokenRequest::read(&req, &body) {
        Ok(request) => request,
        Err(answer) => return Ok(*answer),
    };
    let basic = request.basic;
    match request.param("grant_type") {
        None => Ok(oauth_error(
            "invalid_request",
            "grant_type is required",
            basic,
        )),
        Some("client_credentials") => client_credentials(&state, &request).await,
        Some(grant @ ("authorization_code" | "refresh_token")) => {
            let Some(app) = oauth::authenticate(&state, &request.client).await? else {
                return Ok(oauth_error(
                    "invalid_client",
                    "unknown or withdrawn app, wrong secret, or a secret missing or sent for the wrong kind of app",
                    basic,
                ));
            };
            let answer = if grant == "authorization_code" {
                oauth::exchange_code(
                    &state,
                    &app,
                    request.param("code"),
                    request.param("redirect_uri"),
                    request.param("code_verifier"),
                )
                .await?
            } else {
                oauth::refresh(
                    &state,
                    &app,
                    request.param("refresh_token"),
                    request.param("scope"),
                )
                .await?
            };
            Ok(match answer {
                Ok(issued) => tokens(&issued),
                Err(OAuthError { code, description }) => oauth_error(code, &description, basic),
            })
        }
        Some(other) => Ok(oauth_error(
            "unsupported_grant_type",
            &format!(
                "grant_type {other:?} is not supported; use authorization_code, refresh_token or client_credentials"
            ),
            basic,
        )),
    }
}

/// Agency clients: their secret, and the one scope `agency`.
async fn client_credentials(
    state: &AppState,
    request: &TokenRequest,
) -> Result<HttpResponse, AppError> {
    let basic = request.basic;
    let Some(secret) = &request.client.secret else {
        return Ok(oauth_error(
            "invalid_client",
            "client_credentials needs the client's secret",
            basic,
        ));
    };
    if let Some(scope) = request.param("scope")
        && !scope.split(' ').all(|s| s.is_empty() || s == "agency")
    {
        return Ok(oauth_error(
            "invalid_scope",
            "the only scope for agency clients is \"agency\"",
            basic,
        ));
    }
    let Some(access_token) =
        agencies::issue_token(&state.db, &state.kv, &request.client.client_id, secret).await?
    else {
        // An app's credentials are not an agency's: apps have no client credentials grant.
        if oauth::authenticate(state, &request.client).await?.is_some() {
            return Ok(oauth_error(
                "unauthorized_client",
                "apps use the authorization_code grant; client_credentials is for agency clients",
                basic,
            ));
        }
        return Ok(oauth_error(
            "invalid_client",
            "unknown client, revoked client or wrong secret",
            basic,
        ));
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(serde_json::json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL.as_secs(),
            "scope": "agency",
        })))
}
