use actix_web::{HttpResponse, web};

use super::{ROLE, kept};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::staff;
use crate::state::AppState;

/// The batch's Zengin transfer file, to save (never cached); each download is in the audit log.
pub async fn download(
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let id = path.into_inner();
    let batch = kept(&state, on_duty.duty.agency.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = batch.file_bytes().ok_or(AppError::NotFound)?;
    staff::audit(
        &state,
        &on_duty.duty.member,
        "payments.download",
        &id,
        &batch.task,
    )
    .await?;
    Ok(render::download_bytes(
        "application/octet-stream",
        &format!("transfer-{}", batch.task.replace('_', "-")),
        "txt",
        file,
    ))
}
