use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::ids::ConsentId;
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::oauth;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// Revokes the consent and every token issued under it at once; the app's next call fails.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let id = path
        .into_inner()
        .parse::<uuid::Uuid>()
        .map(ConsentId)
        .map_err(|_| AppError::NotFound)?;
    let connected = oauth::connected(&state, signed_in.citizen).await?;
    // Another citizen's consent, or one already ended, is not there to revoke.
    let Some(found) = connected.into_iter().find(|c| c.consent.id == id) else {
        return Err(AppError::NotFound);
    };
    oauth::revoke_consent(&state, id, Some(signed_in.citizen)).await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("revoked", &found.app.name)
        .finish();
    Ok(see_other(&format!("/settings/apps?{query}")))
}
