use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Submission {
    #[serde(default)]
    csrf_token: String,
}

/// Back to acting for oneself, from any page (the banner's button).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Form<Submission>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    let mut session = signed_in.session.clone();
    let Some(was) = session.acting_for.take() else {
        return Ok(see_other("/settings/proxies"));
    };
    session.unread = None;
    state.sessions().store(&signed_in.token, &session).await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("done", "stopped")
        .append_pair("name", &was.principal_name)
        .finish();
    Ok(see_other(&format!("/settings/proxies?{query}")))
}
