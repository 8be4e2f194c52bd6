//! Demo mode only: the demo card reader plays the card app for the demo cards, in the same browser.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_card::CardError;
use portal_web::components::FieldErrors;
use portal_web::pages::sign_in::{DemoCard, DemoReaderForm, DemoReaderPage};
use serde::Deserialize;

use super::client_addr;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::services::card_check::Purpose;
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
    #[serde(flatten)]
    form: DemoReaderForm,
}

fn page(
    req: &HttpRequest,
    state: &AppState,
    form: DemoReaderForm,
    errors: FieldErrors,
    tries_left: Option<u8>,
) -> DemoReaderPage {
    let cards = demo::load_entries(state)
        .into_iter()
        .map(|e| DemoCard {
            label: format!("{} (PIN {})", e.name, e.pin),
            id: e.id,
        })
        .collect();
    DemoReaderPage {
        shell: render::shell(req),
        cards,
        form,
        errors,
        tries_left,
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    if !state.config.demo {
        return Err(AppError::NotFound);
    }
    let form = DemoReaderForm {
        code: sign_in::normalize_code(&query.code),
        ..DemoReaderForm::default()
    };
    render::page(
        StatusCode::OK,
        &page(&req, &state, form, FieldErrors::default(), None),
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    if !state.config.demo {
        return Err(AppError::NotFound);
    }
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let mut errors = FieldErrors::default();
    let entry = demo::load_entries(&state)
        .into_iter()
        .find(|e| e.id == form.card);
    if entry.is_none() {
        errors.add("card", "demo_reader.errors.card_required");
    }
    let pin = crate::forms::normalize_digits(&form.pin);
    if pin.len() != 4 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        errors.add("pin", "demo_reader.errors.pin_format");
    }
    let Some(entry) = entry.filter(|_| errors.is_empty()) else {
        return render::page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&req, &state, form, errors, None),
        );
    };
    let Some(info) = sign_in::challenge_info(&state, &form.code).await? else {
        return Ok(HttpResponse::SeeOther()
            .insert_header((LOCATION, "/sign-in/failed?reason=expired"))
            .finish());
    };
    let message = info.message();
    let mut card = demo::load_card(&entry)?;
    let signed = card.sign_auth(&pin, &message);
    // The PIN counter lives on the card, as on the real one.
    card.save(&entry.file)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let signature = match signed {
        Ok(signature) => signature,
        Err(CardError::WrongPin { tries_left }) => {
            errors.add("pin", "demo_reader.errors.pin_wrong");
            let form = DemoReaderForm {
                pin: String::new(),
                ..form
            };
            return render::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&req, &state, form, errors, Some(tries_left)),
            );
        }
        Err(_) => {
            let serial = Some(card.serial_hex());
            sign_in::audit(
                &state,
                "card.locked",
                serial,
                None,
                &client_addr(&req),
                "demo reader".to_owned(),
            )
            .await;
            return Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, "/sign-in/failed?reason=locked"))
                .finish());
        }
    };
    match sign_in::respond(
        &state,
        &info.code,
        card.auth_certificate_der(),
        &signature,
        &client_addr(&req),
    )
    .await?
    {
        // A confirmation is collected by the page that asked for it, in the signed-in session.
        Ok(()) => match info.purpose.as_deref().and_then(Purpose::from_code) {
            Some(purpose) => Ok(HttpResponse::SeeOther()
                .insert_header((LOCATION, format!("{}?code={}", purpose.path(), info.code)))
                .finish()),
            None => super::continue_::finish(&req, &state, &info.code).await,
        },
        Err(failure) => Ok(HttpResponse::SeeOther()
            .insert_header((
                LOCATION,
                format!("/sign-in/failed?reason={}", failure.code()),
            ))
            .finish()),
    }
}
