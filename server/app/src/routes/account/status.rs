use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::services::card_check::{self, Confirmation};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    code: String,
}

/// For the confirmation page's script: `pending`, or `done` once the card has answered either way — the
/// page's continue form then collects the outcome, which says what went wrong if anything did.
pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    action: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let purpose = super::confirm::purpose(&action)?;
    let state_name = match card_check::status(&state, &signed_in, purpose, &query.code).await? {
        Confirmation::Pending => "pending",
        _ => "done",
    };
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({ "state": state_name, "continue": true })))
}
