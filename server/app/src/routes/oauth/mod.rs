//! The authorization server's endpoints: authorize (the citizen's consent), token, revoke, introspect and
//! the RFC 8414 metadata. What the token-side endpoints share — reading form parameters once each, client
//! authentication and RFC 6749 §5.2 error answers — is here.

pub mod authorize;
pub mod introspect;
pub mod metadata;
pub mod revoke;
pub mod token;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use portal_storage::models::app::App;

use crate::error::AppError;
use crate::services::oauth::{self, ClientAuth};
use crate::state::AppState;

/// An RFC 6749 §5.2 error answer. `basic` says the client tried HTTP Basic authentication, which makes an
/// `invalid_client` a 401 with a challenge (§5.2).
pub fn oauth_error(code: &str, description: &str, basic: bool) -> HttpResponse {
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

/// Client id and secret from HTTP Basic (§2.3.1: both form-urlencoded, then base64). `None` when no
/// Authorization header was sent; `Some(None)` when one was sent but is not valid Basic.
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

/// A token-side request's form parameters and how its client authenticated.
pub struct TokenRequest {
    params: Vec<(String, String)>,
    pub client: ClientAuth,
    /// The client used HTTP Basic (an `invalid_client` then answers with a challenge).
    pub basic: bool,
}

impl TokenRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Reads the form (each parameter at most once, §3.2) and the client's credentials: HTTP Basic
    /// (`client_secret_basic`), `client_id` and `client_secret` in the form (`client_secret_post`), or
    /// `client_id` alone for a public app. Using two methods at once is refused.
    pub fn read(req: &HttpRequest, body: &[u8]) -> Result<TokenRequest, Box<HttpResponse>> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let basic = basic_credentials(req);
        let tried_basic = basic.is_some();
        if !is_form {
            return Err(Box::new(oauth_error(
                "invalid_request",
                "send the parameters as application/x-www-form-urlencoded",
                tried_basic,
            )));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(body) {
            if params.iter().any(|(n, _)| *n == name) {
                return Err(Box::new(oauth_error(
                    "invalid_request",
                    &format!("the parameter {name} is repeated"),
                    tried_basic,
                )));
            }
            params.push((name.into_owned(), value.into_owned()));
        }
        let find = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let client = match (basic, find("client_id"), find("client_secret")) {
            // RFC 6749 §2.3: one authentication method per request. The same id in the form as in the
            // Basic header is what some libraries send, and harmless.
            (Some(Some((id, _))), Some(form_id), None) if id != form_id => {
                return Err(Box::new(oauth_error(
                    "invalid_request",
                    "client_id in the form differs from the one in the Authorization header",
                    true,
                )));
            }
            (Some(_), _, Some(_)) => {
                return Err(Box::new(oauth_error(
                    "invalid_request",
                    "authenticate the client one way: HTTP Basic or the client_id and client_secret parameters",
                    true,
                )));
            }
            (Some(Some((id, secret))), _, None) => ClientAuth {
                client_id: id,
                secret: Some(secret),
            },
            (Some(None), _, _) => {
                return Err(Box::new(oauth_error(
                    "invalid_client",
                    "the Authorization header is not valid HTTP Basic",
                    true,
                )));
            }
            (None, Some(id), secret) => ClientAuth {
                client_id: id,
                secret,
            },
            (None, None, _) => {
                return Err(Box::new(oauth_error(
                    "invalid_client",
                    "client authentication is required: HTTP Basic, client_id and client_secret, or a public app's client_id",
                    false,
                )));
            }
        };
        Ok(TokenRequest {
            params,
            client,
            basic: tried_basic,
        })
    }
}

/// Revocation and introspection requests allowed per client address per minute.
const MANAGE_PER_MINUTE: i64 = 120;

/// What revocation and introspection both take: an authenticated app and the `token` it names. `Err` is the
/// answer to give instead.
pub async fn app_and_token(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
) -> Result<Result<(App, String), HttpResponse>, AppError> {
    // Each call checks an argon2id hash: limited per address like the token endpoint, under its own count.
    let window = std::time::Duration::from_secs(60);
    if state
        .kv
        .incr(
            &format!(
                "rl:oauth-manage:{}",
                crate::routes::sign_in::client_addr(req)
            ),
            window,
        )
        .await?
        > MANAGE_PER_MINUTE
    {
        return Ok(Err(HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, "60"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({
                "error": "temporarily_unavailable",
                "error_description": "too many requests from this address; retry after a minute",
            }))));
    }
    let request = match TokenRequest::read(req, body) {
        Ok(request) => request,
        Err(answer) => return Ok(Err(*answer)),
    };
    let Some(app) = oauth::authenticate(state, &request.client).await? else {
        return Ok(Err(oauth_error(
            "invalid_client",
            "unknown or withdrawn app, or wrong secret",
            request.basic,
        )));
    };
    let Some(token) = request.param("token") else {
        return Ok(Err(oauth_error(
            "invalid_request",
            "token is required",
            request.basic,
        )));
    };
    Ok(Ok((app, token.to_owned())))
}
