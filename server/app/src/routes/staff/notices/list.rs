use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::staff_notices::{NoticeRow, StaffNoticesPage};

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::history::japan_time;
use crate::services::notices;
use crate::state::AppState;

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
) -> Result<HttpResponse, AppError> {
    on_duty.require(super::ROLE)?;
    let rows = notices::recent(&state, &on_duty.duty.principal())
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            id: n.id.to_string(),
            title: n.title,
            posted: japan_time(n.posted_at),
            recipients: n.recipients,
            withdrawn: n.withdrawn_at.is_some(),
        })
        .collect();
    render::page(
        StatusCode::OK,
        &StaffNoticesPage {
            shell: render::staff_shell(&req, &on_duty),
            rows,
        },
    )
}
