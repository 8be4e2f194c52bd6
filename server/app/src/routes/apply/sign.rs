use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::apply::ApplySignPage;
use portal_web::pages::sign_in::{SignInFailure, demo_signer_href};
use serde::Deserialize;

use super::{application_id, check_href, form_title};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::{self, see_other};
use crate::routes::sign_in::client_addr;
use crate::services::application_signing::{self, Signing};
use crate::services::applications::{self, Opened, SignedSubmission, Submitted};
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

/// The id of the continue button, which the error summary links to.
const CONTINUE: &str = "sign-continue";

/// The application if it can be signed now: the citizen's, still editable, complete, and a signature CA
/// trusted; otherwise where to go instead.
async fn signable(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Result<Opened, HttpResponse>, AppError> {
    let id = application_id(id)?;
    let opened = applications::open(state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !opened.editable() {
        return Ok(Err(see_other(&format!("/applications/{id}"))));
    }
    let complete = portal_forms::answers::check_all(&opened.definition, &opened.answers).is_empty();
    if !complete || state.cards.signature_verifier().is_none() {
        return Ok(Err(see_other(&check_href(id))));
    }
    Ok(Ok(opened))
}

/// The page for `code`, or for a new challenge when `code` is empty.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    opened: &Opened,
    code: &str,
    still_waiting: bool,
    errors: FieldErrors,
) -> Result<Result<ApplySignPage, SignInFailure>, AppError> {
    let digest = application_signing::digest_of(opened)?;
    let code = if code.is_empty() {
        match application_signing::start(state, signed_in, opened, &client_addr(req)).await? {
            Ok((code, _)) => code,
            Err(failure) => return Ok(Err(failure)),
        }
    } else {
        code.to_owned()
    };
    let id = opened.application.id;
    let shell = render::citizen_shell(req, state, signed_in).await?;
    let action_url = format!("/applications/{id}/sign");
    Ok(Ok(ApplySignPage {
        form_title: form_title(opened, shell.lang),
        digest,
        code: display_code(&code),
        qr_url: format!("/sign-in/qr/{code}.svg"),
        status_url: format!("{action_url}/status?code={code}"),
        action_url,
        back_href: check_href(id),
        expires_in_minutes: CHALLENGE_TTL.as_secs() / 60,
        demo_href: state
            .config
            .demo
            .then(|| demo_signer_href(&display_code(&code))),
        still_waiting,
        errors,
        shell,
    }))
}

/// What went wrong, next to the continue button, and the status it is answered with.
fn refusal(errors: &mut FieldErrors, failure: SignInFailure) -> StatusCode {
    let (key, status) = match failure {
        SignInFailure::OtherPerson => ("apply.sign.errors.other_person", StatusCode::FORBIDDEN),
        SignInFailure::Expired => (
            "apply.sign.errors.expired",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        SignInFailure::Revoked => ("apply.sign.errors.revoked", StatusCode::FORBIDDEN),
        SignInFailure::CardExpired => ("apply.sign.errors.card_expired", StatusCode::FORBIDDEN),
        _ => ("apply.sign.errors.failed", StatusCode::FORBIDDEN),
    };
    errors.add(CONTINUE, key);
    status
}

/// Asks for the card's signature: what is signed, and a fresh challenge bound to this session and this
/// application. Back from the demo reader (`?code=`), a refusal is told at once, with a new code.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let opened = match signable(&state, &signed_in, &path.into_inner()).await? {
        Ok(opened) => opened,
        Err(redirect) => return Ok(redirect),
    };
    let mut code = normalize_code(&query.code);
    let mut errors = FieldErrors::default();
    let mut status = StatusCode::OK;
    if !code.is_empty()
        && let Signing::Failed(failure) =
            application_signing::status(&state, &signed_in, opened.application.id, &code).await?
    {
        status = refusal(&mut errors, failure);
        code.clear();
    }
    let page = page(&req, &state, &signed_in, &opened, &code, false, errors).await?;
    render::card_page(status, page)
}

/// Collects the signature and sends the application, exactly as the plain send does, with the signature
/// kept alongside; anything else says why, with a new code to sign again.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let opened = match signable(&state, &signed_in, &path.into_inner()).await? {
        Ok(opened) => opened,
        Err(redirect) => return Ok(redirect),
    };
    let id = opened.application.id;
    let code = normalize_code(&body.code);
    let signing = application_signing::complete(&state, &signed_in, id, &code).await?;
    let mut errors = FieldErrors::default();
    let (status, code, still_waiting) = match signing {
        Signing::Signed(signed) => {
            match applications::submit_signed(
                &state,
                &opened,
                &signed,
                signed_in.acting_proxy().as_ref(),
            )
            .await?
            {
                SignedSubmission::Submitted(Submitted::Sent(_)) => {
                    return Ok(see_other(&format!("/applications/{id}?sent=1")));
                }
                SignedSubmission::Submitted(Submitted::AlreadySent) => {
                    return Ok(see_other(&format!("/applications/{id}")));
                }
                // Complete when the page was opened; changed since in another tab.
                SignedSubmission::Submitted(Submitted::Incomplete(_)) => {
                    return Ok(see_other(&check_href(id)));
                }
                SignedSubmission::Changed => {
                    errors.add(CONTINUE, "apply.sign.errors.changed");
                    (StatusCode::CONFLICT, String::new(), false)
                }
            }
        }
        Signing::Pending => (StatusCode::OK, code, true),
        Signing::Failed(failure) => (refusal(&mut errors, failure), String::new(), false),
    };
    let page = page(
        &req,
        &state,
        &signed_in,
        &opened,
        &code,
        still_waiting,
        errors,
    )
    .await?;
    render::card_page(status, page)
}
