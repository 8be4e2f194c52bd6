use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::account::{AccountConfirmPage, AccountDone};
use portal_web::pages::sign_in::SignInFailure;
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::render::see_other;
use crate::routes::sign_in::client_addr;
use crate::services::bank_account;
use crate::services::card_check::{self, Confirmation, Purpose};
use crate::services::sign_in::{CHALLENGE_TTL, display_code, normalize_code};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    /// A challenge already answered (the demo reader comes back with it).
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// `change` or `delete`, from the address.
pub fn purpose(action: &str) -> Result<Purpose, AppError> {
    match action {
        "change" => Ok(Purpose::AccountChange),
        "delete" => Ok(Purpose::AccountDelete),
        _ => Err(AppError::NotFound),
    }
}

/// Whether there is still something to confirm: a checked draft for a change, an account for a deletion.
async fn ready(state: &AppState, signed_in: &SignedIn, purpose: Purpose) -> Result<bool, AppError> {
    Ok(match purpose {
        Purpose::AccountChange => super::check::checked_draft(state, signed_in)
            .await?
            .is_some(),
        Purpose::AccountDelete => bank_account::current(state, signed_in.citizen)
            .await?
            .is_some(),
    })
}

fn not_ready(purpose: Purpose) -> HttpResponse {
    see_other(match purpose {
        Purpose::AccountChange => "/account/details",
        Purpose::AccountDelete => "/account",
    })
}

/// The page for `code`, or for a new challenge when `code` is empty.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    purpose: Purpose,
    code: &str,
    still_waiting: bool,
    errors: FieldErrors,
) -> Result<Result<AccountConfirmPage, SignInFailure>, AppError> {
    let code = if code.is_empty() {
        match card_check::start(state, signed_in, purpose, &client_addr(req)).await? {
            Ok(code) => code,
            Err(failure) => return Ok(Err(failure)),
        }
    } else {
        code.to_owned()
    };
    let shell = render::citizen_shell(req, state, signed_in).await?;
    Ok(Ok(AccountConfirmPage {
        shell,
        delete: purpose == Purpose::AccountDelete,
        code: display_code(&code),
        qr_url: format!("/sign-in/qr/{code}.svg"),
        status_url: format!("{}/status?code={code}", purpose.path()),
        action_url: purpose.path().to_owned(),
        expires_in_minutes: CHALLENGE_TTL.as_secs() / 60,
        demo: state.config.demo,
        still_waiting,
        errors,
    }))
}

/// Asks for the card: a fresh challenge bound to this session and this action.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    action: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let purpose = purpose(&action)?;
    if !ready(&state, &signed_in, purpose).await? {
        return Ok(not_ready(purpose));
    }
    let code = normalize_code(&query.code);
    let page = page(
        &req,
        &state,
        &signed_in,
        purpose,
        &code,
        false,
        FieldErrors::default(),
    )
    .await?;
    render::card_page(StatusCode::OK, page)
}

/// Collects the card's answer: the citizen's own card carries out the action, once; anything else shows
/// why, with a new code to try again.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    action: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let purpose = purpose(&action)?;
    if !ready(&state, &signed_in, purpose).await? {
        return Ok(not_ready(purpose));
    }
    let code = normalize_code(&body.code);
    let confirmation =
        card_check::complete(&state, &signed_in, purpose, &code, &client_addr(&req)).await?;
    let mut errors = FieldErrors::default();
    let (status, code, still_waiting) = match confirmation {
        Confirmation::Confirmed => return carry_out(&state, &signed_in, purpose).await,
        Confirmation::Pending => (StatusCode::OK, code, true),
        Confirmation::OtherPerson(_) => {
            errors.add("confirm-continue", "account.confirm.errors.other_person");
            (StatusCode::FORBIDDEN, String::new(), false)
        }
        Confirmation::Failed(SignInFailure::Expired) => {
            errors.add("confirm-continue", "account.confirm.errors.expired");
            (StatusCode::UNPROCESSABLE_ENTITY, String::new(), false)
        }
        Confirmation::Failed(_) => {
            errors.add("confirm-continue", "account.confirm.errors.failed");
            (StatusCode::FORBIDDEN, String::new(), false)
        }
    };
    let page = page(
        &req,
        &state,
        &signed_in,
        purpose,
        &code,
        still_waiting,
        errors,
    )
    .await?;
    render::card_page(status, page)
}

async fn carry_out(
    state: &AppState,
    signed_in: &SignedIn,
    purpose: Purpose,
) -> Result<HttpResponse, AppError> {
    match purpose {
        Purpose::AccountChange => {
            let Some(checked) = super::check::checked_draft(state, signed_in).await? else {
                return Ok(not_ready(purpose));
            };
            super::check::register(state, signed_in, checked, true).await
        }
        Purpose::AccountDelete => {
            bank_account::delete(state, signed_in.citizen).await?;
            Ok(see_other(&format!(
                "/account?done={}",
                AccountDone::Deleted.code()
            )))
        }
    }
}
