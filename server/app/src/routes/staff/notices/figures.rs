use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::services::notices;
use crate::state::AppState;

/// A notice's delivery as JSON, for the progress page's script: alerts handled of all queued, and whether
/// they are still going out.
pub async fn show(
    _req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let id = super::notice_id(&path)?;
    let (_, delivery) = notices::delivery(&state, &on_duty.duty.principal(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The shape of a console job's progress, for the same script (portal.js `job-progress`).
    let body = json!({
        "state": if delivery.live() { "running" } else { "done" },
        "done": delivery.handled(),
        "total": delivery.total(),
    });
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(body))
}
