use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::browser_secret;
use crate::error::AppError;
use crate::services::sign_in::{self, Status};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    code: String,
}

/// For the waiting page's script: `pending`, or where to go next. Answers only the browser that started it.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let secret = browser_secret(&req).unwrap_or_default();
    let body = match sign_in::status(&state, &query.code, &secret).await? {
        Status::Pending => serde_json::json!({ "state": "pending" }),
        // The session itself is only handed out by the continue form (a POST with the CSRF token).
        Status::SignedIn(_) => serde_json::json!({ "state": "done", "continue": true }),
        Status::Failed(failure) => serde_json::json!({
            "state": "failed",
            "next": format!("/sign-in/failed?reason={}", failure.code()),
        }),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(body))
}
