use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::staff::StaffCodePage;
use serde::Deserialize;

use crate::error::AppError;
use crate::forms::csrf;
use crate::render::{self, see_other};
use crate::services::staff::{self, PENDING_COOKIE, SESSION_COOKIE, Step};
use crate::state::AppState;

fn pending_token(req: &HttpRequest) -> Option<String> {
    req.cookie(PENDING_COOKIE).map(|c| c.value().to_owned())
}

/// The code form, for a sign-in whose password step passed; anyone else starts at the password.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let Some(token) = pending_token(&req) else {
        return Ok(see_other("/staff/sign-in"));
    };
    if staff::pending(&state, &token).await?.is_none() {
        return Ok(see_other("/staff/sign-in"));
    }
    render::page(
        StatusCode::OK,
        &StaffCodePage {
            shell: render::shell(&req),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// The code: right, the console session starts; wrong, the form again; too many failures, back to the
/// password step, which says the login is locked.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let Some(token) = pending_token(&req) else {
        return Ok(see_other("/staff/sign-in"));
    };
    let mut errors = FieldErrors::default();
    if body.code.trim().is_empty() {
        errors.add("code", "staff.code.errors.missing");
    } else {
        match staff::check_code(&state, &token, &body.code).await? {
            Step::Passed(session) => {
                return Ok(HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, "/staff"))
                    .cookie(super::cookie(&req, SESSION_COOKIE, session))
                    .cookie(super::removed(PENDING_COOKIE))
                    .finish());
            }
            Step::Locked => {
                return Ok(HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, "/staff/sign-in?locked=1"))
                    .cookie(super::removed(PENDING_COOKIE))
                    .finish());
            }
            Step::Wrong => errors.add("code", "staff.code.errors.wrong"),
        }
    }
    render::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &StaffCodePage {
            shell: render::shell(&req),
            errors,
        },
    )
}
