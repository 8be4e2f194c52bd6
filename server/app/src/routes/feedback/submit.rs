use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::{FeedbackForm, FeedbackPage};
use serde::Deserialize;

use crate::error::AppError;
use crate::forms::{csrf, feedback};
use crate::state::AppState;
use crate::{render, services};

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: FeedbackForm,
}

/// Validates; on errors shows the form again with everything as typed, else stores it and redirects (303).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    match feedback::validate(&form, crate::japan_today()) {
        Ok(valid) => {
            let reference = services::feedback::submit(&state, render::lang(&req), valid).await?;
            Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("/feedback/sent?ref={reference}")))
                .finish())
        }
        Err(errors) => {
            let page = FeedbackPage {
                shell: render::shell(&req),
                form,
                errors,
            };
            render::page(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
