use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::application::ApplicationStatus;
use portal_web::components::FieldErrors;
use portal_web::pages::staff_applications::MESSAGE_MAX_CHARS;

use super::show::{Shown, draw, next_statuses};
use super::{ROLE, application_id};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::application_review;
use crate::services::notices::Refusal;
use crate::services::staff;
use crate::state::AppState;

/// The form as sent: `fields` repeats, one per box ticked, so it is read from the raw body.
struct Submission {
    csrf_token: String,
    status: String,
    message: String,
    fields: Vec<String>,
}

fn submission(body: &[u8]) -> Submission {
    let mut s = Submission {
        csrf_token: String::new(),
        status: String::new(),
        message: String::new(),
        fields: Vec::new(),
    };
    for (name, value) in url::form_urlencoded::parse(body) {
        match name.as_ref() {
            "csrf_token" => s.csrf_token = value.into_owned(),
            "status" => s.status = value.into_owned(),
            "message" => s.message = value.into_owned(),
            "fields" => s.fields.push(value.into_owned()),
            _ => {}
        }
    }
    s
}

/// A refusal of the service, as an error next to its field.
fn error_of(refusal: &Refusal, errors: &mut FieldErrors) {
    let Refusal::Invalid { field, reason } = refusal else {
        errors.add("status", "staff.applications.errors.status_not_allowed");
        return;
    };
    match field.as_str() {
        "fields" if reason.starts_with("name") => {
            errors.add("fields", "staff.applications.errors.fields_missing");
        }
        "fields" => errors.add("fields", "staff.applications.errors.fields_unknown"),
        "message" => errors.add(
            "status-message",
            "staff.applications.errors.correction_message_missing",
        ),
        _ if reason.contains("meanwhile") => {
            errors.add("status", "staff.applications.errors.status_changed");
        }
        _ => errors.add("status", "staff.applications.errors.status_not_allowed"),
    }
}

/// Changes the status (with the service's rules: a correction names fields and says what to correct),
/// records it in the audit log, and goes back to the application with a banner; refused, the page again
/// with the error next to the field and what was typed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let id = application_id(&path.into_inner())?;
    let form = submission(&body);
    csrf::verify(&req, &form.csrf_token)?;
    let principal = on_duty.duty.principal();
    let mut errors = FieldErrors::default();
    let to = ApplicationStatus::from_code(&form.status);
    if form.message.chars().count() > MESSAGE_MAX_CHARS {
        errors.add(
            "status-message",
            "staff.applications.errors.message_too_long",
        );
    }
    match to {
        None => errors.add("status", "staff.applications.errors.status_missing"),
        Some(to) if errors.is_empty() => {
            // Said here too, so both mistakes of a correction show at once.
            if to == ApplicationStatus::Correction
                && form.fields.is_empty()
                && form.message.trim().is_empty()
            {
                errors.add("fields", "staff.applications.errors.fields_missing");
                errors.add(
                    "status-message",
                    "staff.applications.errors.correction_message_missing",
                );
            } else {
                let message = Some(form.message.clone());
                let fields = if to == ApplicationStatus::Correction {
                    form.fields.clone()
                } else {
                    Vec::new()
                };
                match application_review::change_status(&state, &principal, id, to, message, fields)
                    .await?
                {
                    Ok(_) => {
                        staff::audit(
                            &state,
                            &on_duty.duty.member,
                            "applications.status",
                            &id.to_string(),
                            to.code(),
                        )
                        .await?;
                        return Ok(see_other(&format!("/staff/applications/{id}?done=status")));
                    }
                    Err(Refusal::NotFound) => return Err(AppError::NotFound),
                    Err(refusal) => error_of(&refusal, &mut errors),
                }
            }
        }
        Some(_) => {}
    }
    // A status no longer offered (changed meanwhile) is not kept checked.
    let offered = application_review::get(&state, &principal, id)
        .await?
        .is_some_and(|(seen, _)| {
            to.is_some_and(|to| next_statuses(&seen.application.status).contains(&to))
        });
    let shown = Shown {
        status: if offered { form.status } else { String::new() },
        status_message: form.message,
        fields: form.fields,
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
