use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::services::inbox;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf_token: String,
}

/// "Archive this notice": out of the inbox, into the archive; back to the notice, which confirms it.
pub async fn archive(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    moved(req, state, signed_in, path, form, true).await
}

/// "Move back to inbox": the reverse.
pub async fn unarchive(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<Form>,
) -> Result<HttpResponse, AppError> {
    moved(req, state, signed_in, path, form, false).await
}

async fn moved(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<Form>,
    archived: bool,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let id = super::notice_id(&path)?;
    inbox::set_archived(&state, signed_in.citizen, id, archived).await?;
    state
        .sessions()
        .forget_unread(&signed_in.token, &mut signed_in.session)
        .await?;
    let done = if archived { "archived" } else { "unarchived" };
    Ok(HttpResponse::SeeOther()
        .insert_header((LOCATION, format!("/notices/{id}?done={done}")))
        .finish())
}
