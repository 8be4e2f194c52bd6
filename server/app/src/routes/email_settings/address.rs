use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::email_settings::{EmailAddressForm, EmailAddressPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::{csrf, email_address as validation};
use crate::render;
use crate::render::see_other;
use crate::services::email_address::{self, CodeSent};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: EmailAddressForm,
}

/// The address form, empty: the current address is named above it, not filled in, since sending a code to
/// it again would prove nothing.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let current = email_address::current(&state, signed_in.citizen).await?;
    render::page(
        StatusCode::OK,
        &EmailAddressPage {
            shell,
            current: current.map(|row| row.address),
            form: EmailAddressForm::default(),
            errors: FieldErrors::default(),
        },
    )
}

/// Validates the address and sends it a code; the confirmed address changes only when the code is entered.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let current = email_address::current(&state, signed_in.citizen)
        .await?
        .map(|row| row.address);
    let (status, errors) = match validation::validate_address(&form, current.as_deref()) {
        Ok(address) => {
            let lang = render::lang(&req);
            match email_address::request_code(&state, signed_in.citizen, &address, lang).await? {
                CodeSent::Sent => return Ok(see_other("/settings/email/confirm")),
                CodeSent::TooMany => {
                    let mut errors = FieldErrors::default();
                    errors.add("email", "email.settings.errors.too_many_codes");
                    (StatusCode::TOO_MANY_REQUESTS, errors)
                }
            }
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    render::page(
        status,
        &EmailAddressPage {
            shell,
            current,
            form,
            errors,
        },
    )
}
