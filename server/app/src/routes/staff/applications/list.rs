use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::application::ApplicationStatus;
use portal_web::components::Pagination;
use portal_web::pages::staff_applications::{QueueRow, StaffApplicationsPage};
use serde::Deserialize;

use super::{ROLE, status_name, when};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::forms::page_number;
use crate::render;
use crate::services::application_review;
use crate::state::AppState;

/// Applications a queue page lists.
const PER_PAGE: i64 = 50;

/// The statuses a sent application can have, in the order of the process.
const STATUSES: [ApplicationStatus; 7] = [
    ApplicationStatus::Sent,
    ApplicationStatus::Received,
    ApplicationStatus::Reviewing,
    ApplicationStatus::Correction,
    ApplicationStatus::Completed,
    ApplicationStatus::Rejected,
    ApplicationStatus::Withdrawn,
];

#[derive(Deserialize)]
pub struct Query {
    form: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

/// The queue: the chosen form's (else the first form's) sent applications, newest first, of one status or
/// all; the proxy's name on those a proxy sent.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let page = page_number(query.page.as_deref()).ok_or(AppError::NotFound)?;
    let principal = on_duty.duty.principal();
    let forms = application_review::forms(&state, &principal).await?;
    let shell = render::staff_shell(&req, &on_duty);
    let lang = shell.lang;
    let chosen = match query.form.as_deref().filter(|f| !f.is_empty()) {
        Some(key) => Some(
            forms
                .iter()
                .find(|f| f.form_key == key)
                .ok_or(AppError::NotFound)?,
        ),
        None => forms.first(),
    };
    // An unknown status is ignored rather than refused: the list of all is still useful.
    let status = query
        .status
        .as_deref()
        .and_then(ApplicationStatus::from_code)
        .filter(|s| STATUSES.contains(s));
    let (rows, has_next) = match chosen {
        Some(form) => application_review::queue(
            &state,
            &principal,
            form.form_key.clone(),
            status,
            page,
            PER_PAGE,
        )
        .await?
        .unwrap_or_default(),
        None => (Vec::new(), false),
    };
    if rows.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let title = |f: &portal_storage::models::application::FormDefinition| {
        if lang == portal_web::Lang::Ja {
            f.title_ja.clone()
        } else {
            f.title_en.clone()
        }
    };
    let mut statuses = vec![(
        String::new(),
        lang.t("staff.applications.all_statuses").to_owned(),
        status.is_none(),
    )];
    statuses.extend(STATUSES.iter().map(|s| {
        (
            s.code().to_owned(),
            status_name(lang, s.code()),
            status == Some(*s),
        )
    }));
    let href_prefix = format!(
        "/staff/applications?form={}&status={}&page=",
        chosen.map(|f| f.form_key.as_str()).unwrap_or_default(),
        status.map(ApplicationStatus::code).unwrap_or_default()
    );
    render::page(
        StatusCode::OK,
        &StaffApplicationsPage {
            forms: forms
                .iter()
                .map(|f| {
                    (
                        f.form_key.clone(),
                        title(f),
                        chosen.is_some_and(|c| c.form_key == f.form_key),
                    )
                })
                .collect(),
            form_title: chosen.map(title).unwrap_or_default(),
            statuses,
            rows: rows
                .into_iter()
                .map(|seen| QueueRow {
                    href: format!("/staff/applications/{}", seen.application.id),
                    receipt_number: seen.application.receipt_number.clone().unwrap_or_default(),
                    status: status_name(lang, &seen.application.status),
                    sent: seen
                        .application
                        .submitted_at
                        .map(|at| when(lang, at))
                        .unwrap_or_default(),
                    proxy: seen.acted_by.map(|(_, name)| name).unwrap_or_default(),
                })
                .collect(),
            pages: Pagination::sequential(page, has_next, &href_prefix),
            shell,
        },
    )
}
