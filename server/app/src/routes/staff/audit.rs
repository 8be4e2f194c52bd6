use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::components::Pagination;
use portal_web::pages::staff::{AuditRow, StaffAuditPage};
use serde::Deserialize;

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::page_number;
use crate::render;
use crate::services::history::japan_time;
use crate::services::staff::{self, AUDIT_PAGE};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    page: Option<String>,
}

/// The agency's audit log, 50 entries a page; only the member's own agency's.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(query.page.as_deref()).ok_or(AppError::NotFound)?;
    let mut entries = staff::audit_page(&state, on_duty.duty.agency.id, page).await?;
    let has_next = entries.len() > usize::try_from(AUDIT_PAGE).unwrap_or(50);
    entries.truncate(usize::try_from(AUDIT_PAGE).unwrap_or(50));
    if entries.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let rows = entries
        .into_iter()
        .map(|(entry, who)| AuditRow {
            when: japan_time(entry.at),
            who,
            action: entry.action,
            target: entry.target,
            detail: entry.detail,
        })
        .collect();
    render::page(
        StatusCode::OK,
        &StaffAuditPage {
            shell: render::staff_shell(&req, &on_duty),
            rows,
            pages: Pagination::sequential(page, has_next, "/staff/audit?page="),
        },
    )
}
