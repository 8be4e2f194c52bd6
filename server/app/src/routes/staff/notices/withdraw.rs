use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::{notices, staff};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// Withdraws the notice: it leaves every inbox and alerts not yet sent are cancelled.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    csrf::verify(&req, &body.csrf_token)?;
    let id = super::notice_id(&path)?;
    let withdrawn = notices::withdraw(&state, &on_duty.duty.principal(), id)
        .await?
        .map_err(|_| AppError::NotFound)?;
    staff::audit(
        &state,
        &on_duty.duty.member,
        "notice_withdraw",
        &id.to_string(),
        &withdrawn.title,
    )
    .await?;
    Ok(see_other(&format!("/staff/notices/{id}?done=withdrawn")))
}
