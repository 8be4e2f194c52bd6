use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::email_settings::{EmailConfirmForm, EmailConfirmPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::render::see_other;
use crate::services::email_address::{self, CodeSent};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// "Send a new code" on the code form: a fresh code and fresh tries for the pending address, unless too
/// many codes went out this hour.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let citizen = signed_in.citizen;
    match email_address::resend(&state, citizen, render::lang(&req)).await? {
        None => Ok(see_other("/settings/email/address")),
        Some(CodeSent::Sent) => Ok(see_other("/settings/email/confirm?resent=1")),
        Some(CodeSent::TooMany) => {
            let Some(pending) = email_address::pending(&state, citizen).await? else {
                return Ok(see_other("/settings/email/address"));
            };
            let mut errors = FieldErrors::default();
            errors.add("resend", "email.settings.errors.too_many_codes");
            let shell = render::citizen_shell(&req, &state, &signed_in).await?;
            render::page(
                StatusCode::TOO_MANY_REQUESTS,
                &EmailConfirmPage {
                    shell,
                    address: pending.address,
                    form: EmailConfirmForm::default(),
                    errors,
                    tries_left: None,
                    resent: false,
                },
            )
        }
    }
}
