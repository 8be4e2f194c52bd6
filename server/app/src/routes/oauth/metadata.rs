//! `GET /.well-known/oauth-authorization-server` (RFC 8414): what an app's OAuth library needs to know.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::services::apps::SCOPES;
use crate::state::AppState;

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    let issuer = state.config.public_url().trim_end_matches('/').to_owned();
    let scopes: Vec<&str> = SCOPES.iter().map(|s| s.code).collect();
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .json(serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/oauth/authorize"),
            "token_endpoint": format!("{issuer}/oauth/token"),
            "revocation_endpoint": format!("{issuer}/oauth/revoke"),
            "introspection_endpoint": format!("{issuer}/oauth/introspect"),
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "service_documentation": format!("{issuer}/accessibility"),
            "ui_locales_supported": ["ja", "en"],
        }))
}
