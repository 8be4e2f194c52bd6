//! `POST /oauth/token`: the token endpoint. For now it grants client credentials to agency machine clients
//! (RFC 6749 §4.4); errors are answered as §5.2 says.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::AppError;
use crate::routes::sign_in::client_addr;
use crate::services::agencies::{self, TOKEN_TTL};
use crate::state::AppState;

/// Token requests allowed per client address per minute. Each checks an argon2id hash (tens of
/// milliseconds of CPU), so without a limit the endpoint would be a cheap way to load the server; a real
/// agency system asks once per token lifetime.
const REQUESTS_PER_MINUTE: i64 = 60;

/// An RFC 6749 §5.2 error answer. `basic` says the client tried HTTP Basic authentication, which makes an
/// `invalid_client` a 401 with a challenge (§5.2).
fn oauth_error(code: &str, description: &str, basic: bool) -> HttpResponse {
    let mut response = if code == "invalid_client" {
        HttpResponse::Unauthorized()
    } else {
        HttpResponse::BadRequest()
    };
    if code == "invalid_client" && basic {
        response.insert_header((header::WWW_AUTHENTICATE, r#"Basic realm="mynaportal""#));
    }
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(serde_json::json!({"error": code, "error_description": description}))
}

/// Client id and secret from HTTP Basic (§2.3.1: both form-urlencoded, then base64).
fn basic_credentials(req: &HttpRequest) -> Option<Option<(String, String)>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let decoded = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    Some(decoded.and_then(|pair| {
        let (id, secret) = pair.split_once(':')?;
        let unescape = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((unescape(id)?, unescape(secret)?))
    }))
}

pub async fn issue(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let basic = basic_credentials(&req);
    let tried_basic = basic.is_some();
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
    if !is_form {
        return Ok(oauth_error(
            "invalid_request",
            "send the parameters as application/x-www-form-urlencoded",
            tried_basic,
        ));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in url::form_urlencoded::parse(&body) {
        // §3.2: parameters must not be included more than once.
        if params.iter().any(|(n, _)| *n == name) {
            return Ok(oauth_error(
                "invalid_request",
                &format!("the parameter {name} is repeated"),
                tried_basic,
            ));
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let credentials = match (basic, param("client_id"), param("client_secret")) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Ok(oauth_error(
                "invalid_request",
                "authenticate the client one way: HTTP Basic or the client_id and client_secret parameters",
                true,
            ));
        }
        (Some(Some(pair)), None, None) => pair,
        (Some(None), None, None) => {
            return Ok(oauth_error(
                "invalid_client",
                "the Authorization header is not valid HTTP Basic",
                true,
            ));
        }
        (None, Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
        (None, _, _) => {
            return Ok(oauth_error(
                "invalid_client",
                "client authentication is required: HTTP Basic, or client_id and client_secret",
                false,
            ));
        }
    };
    match param("grant_type") {
        None => {
            return Ok(oauth_error(
                "invalid_request",
                "grant_type is required",
                tried_basic,
            ));
        }
        Some("client_credentials") => {}
        Some(other) => {
            return Ok(oauth_error(
                "unsupported_grant_type",
                &format!(
                    "grant_type {other:?} is not supported here; agency clients use client_credentials"
                ),
                tried_basic,
            ));
        }
    }
    if let Some(scope) = param("scope")
        && !scope.split(' ').all(|s| s.is_empty() || s == "agency")
    {
        return Ok(oauth_error(
            "invalid_scope",
            "the only scope for agency clients is \"agency\"",
            tried_basic,
        ));
    }
    let Some(access_token) =
        agencies::issue_token(&state.db, &state.kv, &credentials.0, &credentials.1).await?
    else {
        return Ok(oauth_error(
            "invalid_client",
            "unknown client, revoked client or wrong secret",
            tried_basic,
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
