use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::my_data::RecordsPage;
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::page_number;
use crate::render;
use crate::services::my_data;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    page: Option<String>,
}

/// One category's records, 20 a page. An unknown category, a page number that is not one, or a page past
/// the last is 404: the address names nothing, and a redirect would hide a mistyped link.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let category = super::category(&path)?;
    let page = page_number(query.page.as_deref()).ok_or(AppError::NotFound)?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let found = my_data::page(&state, signed_in.citizen, category, page)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(proxy) = signed_in.acting_proxy() {
        let records = &found.records;
        my_data::record_proxy_read(&state, signed_in.citizen, &proxy, category, records, false)
            .await?;
    }
    let lang = shell.lang;
    render::page(
        StatusCode::OK,
        &RecordsPage {
            shell,
            category: category.code(),
            fields: category.fields().iter().map(|f| f.key).collect(),
            rows: found
                .records
                .iter()
                .map(|r| my_data::row(category, r, lang))
                .collect(),
            total: found.total,
            last_updated: found.last_updated,
            page,
        },
    )
}
