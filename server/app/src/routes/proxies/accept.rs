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
    let Ok((invitation, principal_name)) = found else {
        let message = found.err().unwrap_or("proxies.error.code_unknown");
        return super::code_refused(&req, &state, &signed_in, code, message).await;
    };
    render::page(
        StatusCode::OK,
        &ProxyConfirmPage {
            shell: render::citizen_shell(&req, &state, &signed_in).await?,
            code: code.trim().to_owned(),
            principal_name,
            scope: invitation.scope,
            ends_on: invitation.ends_on,
        },
    )
}
