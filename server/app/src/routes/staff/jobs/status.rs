use actix_web::{HttpResponse, web};
use portal_storage::models::staff::StaffJob;

use super::job_id;
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::state::AppState;

/// `{state, done, total}` of the agency's job, for the page's script to show progress in place.
pub async fn show(
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = job_id(&path)?;
    let agency = on_duty.duty.agency.id;
    let job = state
        .db
        .run(move |c| StaffJob::brief_for(c, agency, id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(serde_json::json!({
            "state": job.state,
            "done": job.done,
            "total": job.total,
        })))
}
