use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::email_address::Saved;
use portal_web::components::FieldErrors;
use portal_web::pages::email_settings::{EmailConfirmForm, EmailConfirmPage, EmailDone};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::{csrf, email_address as validation};
use crate::render;
use crate::render::see_other;
use crate::services::email_address::{self, Confirmation};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// Set after "send a new code", for the banner saying it went.
    #[serde(default)]
    resent: String,
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: EmailConfirmForm,
}

/// The code form for the pending address; with nothing pending, the address form instead.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = email_address::pending(&state, signed_in.citizen).await? else {
        return Ok(see_other("/settings/email/address"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    render::page(
        StatusCode::OK,
        &EmailConfirmPage {
            shell,
            address: pending.address,
            form: EmailConfirmForm::default(),
            errors: FieldErrors::default(),
            tries_left: None,
            resent: query.resent == "1",
        },
    )
}

/// Checks the code. A match confirms the address: a first address goes on to choosing categories (all
/// ticked), a changed one back to the overview. Anything else shows the form again with the code as typed
/// and what went wrong.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let citizen = signed_in.citizen;
    let Some(pending) = email_address::pending(&state, citizen).await? else {
        return Ok(see_other("/settings/email/address"));
    };
    let mut errors = FieldErrors::default();
    let mut tries_left = None;
    match validation::validate_code(&form) {
        Err(invalid) => errors = invalid,
        Ok(code) => match email_address::confirm(&state, citizen, &code).await? {
            Confirmation::Confirmed(Saved::Added) => {
                return Ok(see_other("/settings/email/categories?added=1"));
            }
            Confirmation::Confirmed(Saved::Changed) => {
                return Ok(see_other(&format!(
                    "/settings/email?done={}",
                    EmailDone::AddressChanged.code()
                )));
            }
            Confirmation::Wrong { tries_left: left } => {
                errors.add("code", "email.settings.errors.code_wrong");
                tries_left = Some(u64::from(left));
            }
            Confirmation::TooManyTries => {
                errors.add("code", "email.settings.errors.code_too_many_tries");
            }
            Confirmation::Expired => errors.add("code", "email.settings.errors.code_expired"),
        },
    }
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    render::page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &EmailConfirmPage {
            shell,
            address: pending.address,
            form,
            errors,
            tries_left,
            resent: false,
        },
    )
}
