use actix_web::{HttpRequest, HttpResponse, web};

use super::{Entered, page};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::state::AppState;

/// The upload form, how the file is written, and the agency's recent imports.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
) -> Result<HttpResponse, AppError> {
    on_duty.require("records")?;
    page(&req, &state, &on_duty, Entered::default()).await
}
