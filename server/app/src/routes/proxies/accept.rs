use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::proxies::{ProxyAcceptPage, ProxyConfirmPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::services::proxies;
use crate::state::AppState;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    render::page(
        StatusCode::OK,
        &ProxyAcceptPage {
            shell,
            code: String::new(),
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

/// Checks the code and shows whose proxy it makes the citizen, to confirm; a refused code is shown again
/// as typed, with the reason.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, code } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let found = if code.trim().is_empty() {
        Err("proxies.error.code_missing")
    } else {
        proxies::invitation(&state, signed_in.citizen, &code)
            .await?
            .map_err(super::refusal_message)
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    match found {
        Ok((invitation, principal_name)) => render::page(
            StatusCode::OK,
            &ProxyConfirmPage {
                shell,
                code: code.trim().to_owned(),
                principal_name,
                scope: invitation.scope,
                ends_on: invitation.ends_on,
            },
        ),
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("code", message);
            render::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProxyAcceptPage {
                    shell,
                    code,
                    errors,
                },
            )
        }
    }
}
