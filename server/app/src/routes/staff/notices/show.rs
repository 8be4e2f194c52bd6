use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::staff_notices::StaffNoticePage;
use serde::Deserialize;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::history::japan_time;
use crate::services::notices;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    done: Option<String>,
}

/// One notice's delivery: where its alerts' fan-out is, mails sent, queued and failed, reads. Reloading shows
/// the figures as they are now; with JavaScript they update in place.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let id = super::notice_id(&path)?;
    let (notice, delivery) = notices::delivery(&state, &on_duty.duty.principal(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = match query.done.as_deref() {
        Some("posted") => Some("posted"),
        Some("withdrawn") => Some("withdrawn"),
        _ => None,
    };
    render::page(
        StatusCode::OK,
        &StaffNoticePage {
            shell: render::staff_shell(&req, &on_duty),
            id: notice.id.to_string(),
            title: notice.title,
            posted: japan_time(notice.posted_at),
            delivery,
            done,
        },
    )
}
