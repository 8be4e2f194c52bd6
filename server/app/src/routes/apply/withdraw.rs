use actix_web::{HttpRequest, HttpResponse, web};

use super::application_id;
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::see_other;
use crate::services::applications;
use crate::state::AppState;

/// 取下げ: withdraws the application if the agency has not started on it, then shows it again (its
/// history says whether it was withdrawn).
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<csrf::TokenOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let id = application_id(&path.into_inner())?;
    let opened = applications::open(&state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let withdrawn =
        applications::withdraw(&state, &opened, signed_in.acting_proxy().as_ref()).await?;
    Ok(see_other(&format!(
        "/applications/{id}{}",
        if withdrawn { "?withdrawn=1" } else { "" }
    )))
}
