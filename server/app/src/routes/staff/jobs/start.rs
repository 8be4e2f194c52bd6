use actix_web::{HttpRequest, HttpResponse, web};

use super::job_id;
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::csrf::{self, TokenOnly};
use crate::render::see_other;
use crate::services::record_import;
use crate::state::AppState;

/// Queues a checked import for publishing, then shows its progress. Pressed twice, or after another member
/// started or discarded it, the job's page shows where it is now.
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
    record_import::start(&state, &on_duty.duty, id).await?;
    Ok(see_other(&format!("/staff/jobs/{id}")))
}
