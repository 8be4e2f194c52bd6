use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::ids::ProxyId;
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
}

/// Switches the session to acting for the principal of relation `id`, and opens their マイページ.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let id: ProxyId = path.into_inner().parse().map_err(|_| AppError::NotFound)?;
    // Someone else's relation, an ended one, or one past its last day: nothing to act under.
    let Some(acting) = proxies::start_acting(&state, signed_in.actor, id).await? else {
        return Err(AppError::NotFound);
    };
    tracing::info!(proxy_id = %id, "acting for a principal");
    let mut session = signed_in.session.clone();
    session.acting_for = Some(acting);
    // The header's unread count is the principal's from now on.
    session.unread = None;
    state.sessions().store(&signed_in.token, &session).await?;
    Ok(see_other("/my-page"))
}
