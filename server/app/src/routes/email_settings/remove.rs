use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::email_settings::{EmailDone, EmailRemovePage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::render::see_other;
use crate::services::email_address;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// Asks before removing: nothing is removed by following a link.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let Some(current) = email_address::current(&state, signed_in.citizen).await? else {
        return Ok(see_other("/settings/email"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    render::page(
        StatusCode::OK,
        &EmailRemovePage {
            shell,
            address: current.address,
        },
    )
}

/// Removes the address (and any change waiting for its code); alerts queued for it are cancelled.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    email_address::remove(&state, signed_in.citizen).await?;
    Ok(see_other(&format!(
        "/settings/email?done={}",
        EmailDone::Removed.code()
    )))
}
