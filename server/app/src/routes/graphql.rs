use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql_actix_web::{GraphQLRequest, GraphQLResponse};

use crate::error::AppError;
use crate::graphql::error::add_codes;
use crate::services::{agencies, app_api, oauth};
use crate::state::AppState;

/// Runs a GraphQL request. A bearer token, when sent, must be live: a stale one is answered 401 with
/// `WWW-Authenticate` (RFC 6750) rather than silently treated as anonymous.
pub async fn execute(
    req: HttpRequest,
    state: web::Data<AppState>,
    request: GraphQLRequest,
) -> Result<HttpResponse, AppError> {
    let mut request = request.into_inner().data(state.get_ref().clone());
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        if token.starts_with(oauth::ACCESS_PREFIX) {
            match oauth::principal(&state, token).await? {
                Some(principal) => {
                    if let Some(wait) = app_api::over_limit(&state, &principal).await? {
                        return Ok(HttpResponse::TooManyRequests()
                            .insert_header((header::RETRY_AFTER, wait.to_string()))
                            .json(serde_json::json!({
                                "errors": [{
                                    "message": "this app made too many requests; retry after the time in Retry-After",
                                    "extensions": {"code": "RATE_LIMITED"}
                                }]
                            })));
                    }
                    request = request.data(principal);
                }
                None => return Ok(invalid_token()),
            }
        } else {
            match agencies::principal(&state.kv, token).await? {
                Some(principal) if !token.is_empty() => request = request.data(principal),
                _ => return Ok(invalid_token()),
            }
        }
    }
    let query = request.query.clone();
    let mut response = state.schema.execute(request).await;
    add_codes(&mut response, &query);
    Ok(
        actix_web::Responder::respond_to(GraphQLResponse::from(response), &req)
            .map_into_boxed_body(),
    )
}

/// RFC 6750 §3.1: an unknown, expired or revoked token.
fn invalid_token() -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((
            header::WWW_AUTHENTICATE,
            r#"Bearer error="invalid_token", error_description="the access token is unknown, expired or revoked""#,
        ))
        .json(serde_json::json!({
            "errors": [{
                "message": "the access token is unknown, expired or revoked",
                "extensions": {"code": "UNAUTHENTICATED"}
            }]
        }))
}
