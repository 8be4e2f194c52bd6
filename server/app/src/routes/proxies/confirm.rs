use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
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
            super::code_refused(
                &req,
                &state,
                &signed_in,
                code,
                super::refusal_message(refusal),
            )
            .await
        }
    }
}
