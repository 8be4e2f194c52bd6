use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::category::Category;
use portal_storage::models::staff::{StaffJob, job_state};
use portal_web::pages::staff_records::{BadRowView, GoodRowView, StaffJobPage};

use super::job_id;
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::history::japan_time;
use crate::services::record_import::{self, BadRow, PREVIEW_ROWS};
use crate::state::AppState;

fn bad_view(row: BadRow) -> BadRowView {
    BadRowView {
        line: row.line,
        record_id: row.record_id,
        column: row.column,
        code: row.code,
        reason: row.reason,
    }
}

/// The agency's job: a preview of a checked file, the progress of its import, or what it came to. Another
/// agency's job is as good as missing.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = job_id(&path)?;
    let agency = on_duty.duty.agency.id;
    let brief = state
        .db
        .run(move |c| StaffJob::brief_for(c, agency, id))
        .await?
        .ok_or(AppError::NotFound)?;
    if brief.kind != record_import::KIND {
        return Err(AppError::NotFound);
    }
    // The payload can be large: while the job runs (and the page refreshes) only its progress is read.
    let running = brief.state == job_state::QUEUED || brief.state == job_state::RUNNING;
    let (payload, outcome) = if running {
        Default::default()
    } else {
        let job = state
            .db
            .run(move |c| StaffJob::find_for(c, agency, id))
            .await?
            .ok_or(AppError::NotFound)?;
        record_import::contents(&job)
    };
    let columns: Vec<String> = Category::from_code(&payload.category)
        .map(|c| c.fields().iter().map(|f| f.key.to_owned()).collect())
        .unwrap_or_default();
    let preview = if brief.state == job_state::PREVIEW {
        payload
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|row| GoodRowView {
                line: row.line,
                citizen: row.citizen.clone(),
                record_id: row.record_id.clone(),
                updated_on: row.updated_on.clone(),
                values: columns
                    .iter()
                    .map(|key| {
                        row.fields
                            .get(key)
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    render::page(
        StatusCode::OK,
        &StaffJobPage {
            shell: render::staff_shell(&req, &on_duty),
            id: id.to_string(),
            state: brief.state,
            category: payload.category,
            file_name: payload.file_name,
            when: japan_time(brief.created_at),
            total: brief.total,
            done: brief.done,
            rejected: outcome.rejected.into_iter().map(bad_view).collect(),
            columns,
            preview,
            created: outcome.created,
            updated: outcome.updated,
            rejected_at_publish: outcome
                .rejected_at_publish
                .into_iter()
                .map(bad_view)
                .collect(),
            failure: outcome.failure,
            may_act: on_duty.duty.member.has_role("records"),
        },
    )
}
