use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::email_settings::{EmailDone, EmailSettingsPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::email_address;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// What was just done, for the success banner (see [`EmailDone`]); anything else shows none.
    #[serde(default)]
    done: String,
}

/// The overview: the confirmed address (or none), a change still waiting for its code, the categories.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let current = email_address::current(&state, signed_in.citizen).await?;
    // Only a change that can still be confirmed is worth pointing to.
    let pending = email_address::pending(&state, signed_in.citizen)
        .await?
        .filter(|p| {
            p.tries < email_address::MAX_TRIES && p.expires_at > portal_storage::now_millis()
        })
        .map(|p| p.address);
    let categories = current
        .as_ref()
        .map(|row| {
            row.categories()
                .iter()
                .map(|c| c.code().to_owned())
                .collect()
        })
        .unwrap_or_default();
    render::page(
        StatusCode::OK,
        &EmailSettingsPage {
            shell,
            address: current.map(|row| row.address),
            categories,
            pending,
            done: EmailDone::from_code(&query.done),
        },
    )
}
