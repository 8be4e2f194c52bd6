use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use serde::Deserialize;

use super::application_id;
use super::show::{Shown, draw};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::applications;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    message: String,
}

/// The citizen writes to the agency about a sent application; a refused message comes back next to the
/// field, as typed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let id = application_id(&path.into_inner())?;
    let opened = applications::open(&state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if opened.editable() {
        return Ok(see_other(&format!("/applications/{id}")));
    }
    match applications::send_message(
        &state,
        &opened,
        &form.message,
        signed_in.acting_proxy().as_ref(),
    )
    .await?
    {
        Ok(()) => Ok(see_other(&format!("/applications/{id}?message=1"))),
        Err(key) => {
            let mut errors = FieldErrors::default();
            errors.add("message", key);
            let shown = Shown {
                message: form.into_inner().message,
                errors,
                ..Shown::default()
            };
            draw(
                &req,
                &state,
                &signed_in,
                &opened,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
