use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::application_id;
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::services::application_signing::{self, Signing};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    code: String,
}

/// For the signing page's script: `pending`, or `done` once the card has answered either way — the page's
/// continue form then sends the application, or says what went wrong.
pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let id = application_id(&path.into_inner())?;
    let state_name = match application_signing::status(&state, &signed_in, id, &query.code).await? {
        Signing::Pending => "pending",
        _ => "done",
    };
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({ "state": state_name, "continue": true })))
}
