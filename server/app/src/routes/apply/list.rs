use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::application::ApplicationStatus;
use portal_web::Lang;
use portal_web::components::Pagination;
use portal_web::pages::apply::{ApplicationRow, ApplicationsPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::page_number;
use crate::render;
use crate::services::applications::{self, PAGE_SIZE};
use crate::services::inbox::japan_date;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    page: Option<String>,
}

/// 申請の状況: drafts to continue and applications sent, most recently changed first.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(query.page.as_deref()).ok_or(AppError::NotFound)?;
    let (listed, total) = applications::list(&state, signed_in.citizen, page).await?;
    if listed.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let lang = shell.lang;
    let rows = listed
        .into_iter()
        .map(|l| {
            let a = &l.application;
            let draft = a.status() == Some(ApplicationStatus::Draft);
            ApplicationRow {
                href: format!("/applications/{}", a.id),
                title: if lang == Lang::Ja {
                    l.title_ja.clone()
                } else {
                    l.title_en.clone()
                },
                status: lang
                    .get(&format!("application.status_name.{}", a.status))
                    .unwrap_or(&a.status)
                    .to_owned(),
                draft,
                date: portal_web::format::date(
                    lang,
                    &japan_date(if draft {
                        a.updated_at
                    } else {
                        a.submitted_at.unwrap_or(a.updated_at)
                    }),
                ),
                receipt_number: a.receipt_number.clone().unwrap_or_default(),
            }
        })
        .collect();
    let pages = usize::try_from((total + PAGE_SIZE - 1) / PAGE_SIZE).unwrap_or(1);
    render::page(
        StatusCode::OK,
        &ApplicationsPage {
            rows,
            pagination: Pagination::new(page, pages, "/applications?page="),
            shell,
        },
    )
}
