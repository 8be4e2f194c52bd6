use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::staff::StaffSignInPage;
use serde::Deserialize;

use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::services::staff::{self, PENDING_COOKIE, Step};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// Set when the code step locked the login.
    locked: Option<String>,
}

pub async fn show(req: HttpRequest, query: web::Query<Query>) -> Result<HttpResponse, AppError> {
    let locked = query.locked.is_some();
    render::page(
        if locked {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::OK
        },
        &StaffSignInPage {
            shell: render::shell(&req),
            login: String::new(),
            errors: FieldErrors::default(),
            locked,
        },
    )
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

/// The login and password: passed, on to the code; else the same words for a wrong login and a wrong
/// password, and the lock after repeated failures.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission {
        csrf_token,
        login,
        password,
    } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let mut errors = FieldErrors::default();
    if login.trim().is_empty() {
        errors.add("login", "staff.sign_in.errors.login_missing");
    }
    if password.is_empty() {
        errors.add("password", "staff.sign_in.errors.password_missing");
    }
    let mut locked = false;
    if errors.is_empty() {
        match staff::check_password(&state, &login, &password).await? {
            Step::Passed(pending) => {
                return Ok(HttpResponse::SeeOther()
                    .insert_header((actix_web::http::header::LOCATION, "/staff/sign-in/code"))
                    .cookie(super::cookie(&req, PENDING_COOKIE, pending))
                    .finish());
            }
            Step::Wrong => errors.add("login", "staff.sign_in.errors.wrong"),
            Step::Locked => locked = true,
        }
    }
    let status = if locked {
        StatusCode::TOO_MANY_REQUESTS
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render::page(
        status,
        &StaffSignInPage {
            shell: render::shell(&req),
            login,
            errors,
            locked,
        },
    )
}
