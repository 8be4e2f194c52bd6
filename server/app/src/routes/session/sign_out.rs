use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::session::SESSION_COOKIE;
use crate::error::AppError;
use crate::forms::csrf;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf_token: String,
}

/// Ends this session (also when it already ended: signing out never fails).
pub async fn here(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    if let Some(token) = req.cookie(SESSION_COOKIE) {
        state.sessions().end(token.value()).await?;
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/signed-out"))
        .cookie(super::removal())
        .finish())
}

/// Ends every session of this citizen, on every device.
pub async fn everywhere(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: crate::auth::extract::SignedIn,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let sessions = state.sessions();
    sessions.end_all(signed_in.citizen).await?;
    sessions.end(&signed_in.token).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, "/signed-out?everywhere=1"))
        .cookie(super::removal())
        .finish())
}
