use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::FieldErrors;

use super::{benefit_id, draw};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::state::AppState;

/// A benefit: what this citizen would be paid and the claim to confirm, or why they cannot claim.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = benefit_id(&path.into_inner())?;
    draw(&req, &state, &signed_in, id, FieldErrors::default()).await
}
