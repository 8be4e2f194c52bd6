use actix_web::{HttpRequest, HttpResponse, web};

use super::job_id;
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf::{self, TokenOnly};
use crate::render::see_other;
use crate::services::record_import;
use crate::state::AppState;

/// Deletes a checked import that is not wanted, rows and all, and goes back to the upload form. A job
/// already started is not touched: its page shows where it is.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    body: web::Form<TokenOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &body.csrf_token)?;
    on_duty.require("records")?;
    let id = job_id(&path)?;
    if record_import::discard(&state, &on_duty.duty, id).await? {
        Ok(see_other("/staff/records"))
    } else {
        Ok(see_other(&format!("/staff/jobs/{id}")))
    }
}
