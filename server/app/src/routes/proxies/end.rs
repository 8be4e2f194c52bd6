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

/// The principal ends a proxy at once (their next request is refused), or withdraws an invitation.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let id: ProxyId = path.into_inner().parse().map_err(|_| AppError::NotFound)?;
    let overview = proxies::overview(&state, signed_in.citizen).await?;
    // Only one of the citizen's own running ones: anyone else's is as good as missing.
    let Some(listed) = overview.given.into_iter().find(|l| l.proxy.id == id) else {
        return Err(AppError::NotFound);
    };
    if !proxies::end(&state, signed_in.citizen, id).await? {
        return Err(AppError::NotFound);
    }
    let query = match listed.other {
        Some(name) => url::form_urlencoded::Serializer::new(String::new())
            .append_pair("done", "ended")
            .append_pair("name", &name)
            .finish(),
        None => "done=withdrawn".to_owned(),
    };
    Ok(see_other(&format!("/settings/proxies?{query}")))
}
