use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;
use portal_web::pages::proxies::ProxyAcceptPage;
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::{self, see_other};
use crate::services::proxies;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
}

/// Accepts the invitation; if the code stopped working meanwhile (used in another tab, withdrawn), the code
/// page says why.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    let Submission { csrf_token, code } = body.into_inner();
    csrf::verify(&req, &csrf_token)?;
    match proxies::accept(&state, signed_in.citizen, &code).await? {
        Ok((_, principal_name)) => {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("done", "accepted")
                .append_pair("name", &principal_name)
                .finish();
            Ok(see_other(&format!("/settings/proxies?{query}")))
        }
        Err(refusal) => {
            let mut errors = FieldErrors::default();
            errors.add("code", super::refusal_message(refusal));
            let shell = render::citizen_shell(&req, &state, &signed_in).await?;
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
