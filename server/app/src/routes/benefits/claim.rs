use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;

use super::{benefit_id, draw};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::benefits::{self, Claimed};
use crate::state::AppState;

/// The one confirmation: with the box ticked, the prefilled claim is sent and the receipt shown; a claim
/// that needs an answer the portal does not hold (an account) continues on the claim's own pages.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let token = form
        .iter()
        .find(|(name, _)| name == "csrf_token")
        .map_or("", |(_, value)| value.as_str());
    csrf::verify(&req, token)?;
    let id = benefit_id(&path.into_inner())?;
    let confirmed = form
        .iter()
        .any(|(name, value)| name == "confirm" && value == "agreed");
    if !confirmed {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "benefit.errors.confirm");
        return draw(&req, &state, &signed_in, id, errors).await;
    }
    match benefits::claim(
        &state,
        signed_in.citizen,
        id,
        signed_in.acting_proxy().as_ref(),
    )
    .await?
    {
        None => Err(AppError::NotFound),
        Some(Claimed::Sent(application)) => {
            Ok(see_other(&format!("/applications/{application}?sent=1")))
        }
        Some(Claimed::NeedsAnswers(application) | Claimed::Already(application)) => {
            Ok(see_other(&format!("/applications/{application}")))
        }
        // The page says why.
        Some(Claimed::Ineligible(_)) => Ok(see_other(&format!("/benefits/{id}"))),
    }
}
