//! 情報の登録: the CSV upload form (with the agency's recent imports) and the file's check. The job a
//! checked file becomes has its own pages under [`super::jobs`].

pub mod show;
pub mod submit;

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use portal_storage::models::category::Category;
use portal_storage::models::staff::StaffJob;
use portal_web::pages::staff_records::{CategoryColumns, JobRow, StaffRecordsPage};

use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::history::japan_time;
use crate::services::record_import::{FIXED_COLUMNS, KIND, MAX_ROWS};
use crate::state::AppState;

/// Imports listed on the page.
const RECENT: i64 = 20;

/// What the form shows again after a refusal.
#[derive(Default)]
struct Entered {
    chosen: String,
    category_error: Option<&'static str>,
    file_error: Option<String>,
}

/// The page, with what was entered and why it was refused, if it was.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    on_duty: &StaffOnDuty,
    entered: Entered,
) -> Result<actix_web::HttpResponse, AppError> {
    let agency = on_duty.duty.agency.id;
    let jobs = state
        .db
        .run(move |c| StaffJob::recent_of_kind(c, agency, KIND, RECENT))
        .await?
        .into_iter()
        .map(|job| JobRow {
            href: format!("/staff/jobs/{}", job.id),
            when: japan_time(job.created_at),
            state: job.state,
            done: job.done,
            total: job.total,
        })
        .collect();
    let status = if entered.category_error.is_some() || entered.file_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render::page(
        status,
        &StaffRecordsPage {
            shell: render::staff_shell(req, on_duty),
            categories: Category::ALL
                .iter()
                .map(|c| CategoryColumns {
                    code: c.code().to_owned(),
                    columns: c
                        .fields()
                        .iter()
                        .map(|f| (f.key.to_owned(), f.required))
                        .collect(),
                })
                .collect(),
            chosen: entered.chosen,
            category_error: entered.category_error,
            file_error: entered.file_error,
            jobs,
            max_rows: MAX_ROWS,
            fixed_columns: FIXED_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
        },
    )
}
