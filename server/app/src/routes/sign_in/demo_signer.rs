//! Demo mode only: the demo card reader signing an application, as the card app does with the card's
//! signature key (署名用電子証明書) and its 6–16 character password.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_card::CardError;
use portal_web::Shell;
use portal_web::components::FieldErrors;
use portal_web::pages::sign_in::{DemoCard, DemoReaderForm, DemoSignerPage};
use serde::Deserialize;

use super::client_addr;
use crate::error::AppError;
use crate::forms::{csrf, normalize_sign_password};
use crate::render::{self, see_other};
use crate::services::application_signing::Document;
use crate::services::{demo, sign_in};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    card: String,
    #[serde(default)]
    password: String,
}

fn page(
    shell: Shell,
    state: &AppState,
    form: DemoReaderForm,
    document: &Document,
    errors: FieldErrors,
    tries_left: Option<u8>,
) -> DemoSignerPage {
    let cards = demo::load_entries(state)
        .into_iter()
        .map(|e| DemoCard {
            label: shell.lang.tf(
                "demo_reader.sign.card_label",
                &[("name", &e.name), ("password", &e.password)],
            ),
            id: e.id,
        })
        .collect();
    DemoSignerPage {
        form_title: if shell.lang == portal_web::Lang::Ja {
            document.title_ja.clone()
        } else {
            document.title_en.clone()
        },
        digest: document.digest.clone(),
        cards,
        form,
        errors,
        tries_left,
        shell,
    }
}

/// The signing challenge behind `code`: `None` for an unknown, used or expired code, or one that is not
/// for signing (the plain demo reader answers those).
async fn signing_challenge(
    state: &AppState,
    code: &str,
) -> Result<Option<(String, Document)>, AppError> {
    Ok(sign_in::challenge_info(state, code)
        .await?
        .and_then(|info| Some((info.code, info.document?))))
}

/// Where the citizen goes back to: the signing page, which collects the outcome.
fn back_to_signing(document: &Document, code: &str) -> HttpResponse {
    see_other(&format!(
        "/applications/{}/sign?code={code}",
        document.application
    ))
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    if !state.config.demo {
        return Err(AppError::NotFound);
    }
    let Some((code, document)) = signing_challenge(&state, &query.code).await? else {
        return Ok(see_other("/sign-in/failed?reason=expired"));
    };
    let form = DemoReaderForm {
        code,
        ..DemoReaderForm::default()
    };
    render::page(
        StatusCode::OK,
        &page(
            render::shell(&req),
            &state,
            form,
            &document,
            FieldErrors::default(),
            None,
        ),
    )
}

/// Signs the challenge's digest with the chosen demo card. A wrong or locked password is the card's
/// answer and stays here, next to the field; what the portal makes of the signature is shown on the
/// signing page.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    if !state.config.demo {
        return Err(AppError::NotFound);
    }
    let Submission {
        csrf_token,
        code,
        card,
        password,
    } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let Some((code, document)) = signing_challenge(&state, &code).await? else {
        return Ok(see_other("/sign-in/failed?reason=expired"));
    };
    let form = DemoReaderForm {
        code: code.clone(),
        card,
        pin: String::new(),
    };
    let mut errors = FieldErrors::default();
    let entry = demo::load_entries(&state)
        .into_iter()
        .find(|e| e.id == form.card);
    if entry.is_none() {
        errors.add("card", "demo_reader.errors.card_required");
    }
    let password = normalize_sign_password(&password);
    if portal_card::check_sign_password(&password).is_err() {
        errors.add("password", "demo_reader.sign.errors.password_format");
    }
    let refuse = |errors, tries_left| {
        render::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(
                render::shell(&req),
                &state,
                form.clone(),
                &document,
                errors,
                tries_left,
            ),
        )
    };
    let Some(entry) = entry.filter(|_| errors.is_empty()) else {
        return refuse(errors, None);
    };
    let digest = hex::decode(&document.digest).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut card = demo::load_card(&entry)?;
    let signed = card.sign_digest_with_signature_key(&password, &digest);
    // The password counter lives on the card, as on the real one.
    card.save(&entry.file)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let signed = match signed {
        Ok(signed) => signed,
        Err(CardError::WrongPin { tries_left }) => {
            errors.add("password", "demo_reader.sign.errors.password_wrong");
            return refuse(errors, Some(tries_left));
        }
        Err(CardError::Locked) => {
            sign_in::audit(
                &state,
                "card.sign_locked",
                Some(card.serial_hex()),
                None,
                &client_addr(&req),
                "demo reader".to_owned(),
            )
            .await;
            errors.add("password", "demo_reader.sign.errors.locked");
            return refuse(errors, None);
        }
        Err(e) => return Err(AppError::BadRequest(e.to_string())),
    };
    // Refused or not, the outcome waits for the signing page, which says why.
    if let Err(failure) = sign_in::respond(
        &state,
        &code,
        &signed.certificate,
        &signed.signature,
        &client_addr(&req),
    )
    .await?
    {
        tracing::info!(reason = failure.code(), "a demo signature was refused");
    }
    Ok(back_to_signing(&document, &code))
}
