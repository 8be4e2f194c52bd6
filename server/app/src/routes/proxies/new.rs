use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::proxies::{ProxyCodePage, ProxyForm, ProxyNewPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render;
use crate::services::history::japan_time;
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
        &ProxyNewPage {
            shell,
            form: ProxyForm::default(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: ProxyForm,
}

/// Stores the invitation and shows its code, this once (the page is the POST's answer, so going back or
/// reloading never shows the code again: a reload asks to send the form again, which makes a new code).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, form } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    let invited = proxies::invite(&state, signed_in.citizen, &form.scope, &form.ends_on()).await?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    match invited {
        Ok(invited) => render::page(
            StatusCode::OK,
            &ProxyCodePage {
                shell,
                code: invited.code,
                expires_on: japan_time(invited.proxy.invitation_expires_at).0,
                scope: invited.proxy.scope,
                ends_on: invited.proxy.ends_on,
            },
        )
        .map(no_store),
        Err(refused) => {
            let mut errors = FieldErrors::default();
            for error in &refused {
                errors.add(error.field, super::field_message(error));
            }
            render::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ProxyNewPage {
                    shell,
                    form,
                    errors,
                },
            )
        }
    }
}

/// The code must not stay in any cache.
fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}
