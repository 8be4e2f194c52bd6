use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::staff_applications::MESSAGE_MAX_CHARS;
use serde::Deserialize;

use super::show::{Shown, draw};
use super::{ROLE, application_id};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::application_review;
use crate::services::notices::Refusal;
use crate::services::staff;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    message: String,
}

/// Sends the citizen a message about their application (it joins the history and reaches them as a
/// notice), recorded in the audit log; refused, the page again with the message as typed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let id = application_id(&path.into_inner())?;
    let Submission {
        csrf_token,
        message,
    } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let mut errors = FieldErrors::default();
    if message.trim().is_empty() {
        errors.add("message", "staff.applications.errors.message_missing");
    } else if message.chars().count() > MESSAGE_MAX_CHARS {
        errors.add("message", "staff.applications.errors.message_too_long");
    } else {
        let principal = on_duty.duty.principal();
        match application_review::send_message(&state, &principal, id, message.clone()).await? {
            Ok(()) => {
                staff::audit(
                    &state,
                    &on_duty.duty.member,
                    "applications.message",
                    &id.to_string(),
                    "",
                )
                .await?;
                return Ok(see_other(&format!("/staff/applications/{id}?done=message")));
            }
            Err(Refusal::NotFound) => return Err(AppError::NotFound),
            Err(_) => errors.add("message", "staff.applications.errors.message_missing"),
        }
    }
    let shown = Shown {
        message,
        errors,
        ..Shown::default()
    };
    draw(
        &req,
        &state,
        &on_duty,
        id,
        shown,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
