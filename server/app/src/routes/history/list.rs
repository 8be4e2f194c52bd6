use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::category::Category;
use portal_web::components::FieldErrors;
use portal_web::pages::history::HistoryPage;

use super::Query;
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::{history, page_number};
use crate::render;
use crate::services::history as service;
use crate::state::AppState;

/// やりとり履歴, newest first, narrowed by the filter in the query (a GET form, so it can be bookmarked). A
/// bad filter is 400 with the errors shown by their fields and nothing typed lost; a page number that is not
/// one, or a page past the end, is 404.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let Query { form, page } = query.into_inner();
    let page = page_number(page.as_deref()).ok_or(AppError::NotFound)?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let lang = shell.lang;
    let citizen = signed_in.citizen;
    let requesters = service::requesters(&state, citizen, lang).await?;
    let (status, errors, entries, has_next) = match history::validate(&form) {
        Err(errors) => (StatusCode::BAD_REQUEST, errors, Vec::new(), false),
        Ok(filter) => {
            let (entries, has_next) = service::page(&state, citizen, &filter, page, lang)
                .await?
                .ok_or(AppError::NotFound)?;
            (StatusCode::OK, FieldErrors::default(), entries, has_next)
        }
    };
    render::page(
        status,
        &HistoryPage {
            shell,
            form,
            errors,
            requesters,
            categories: Category::ALL.iter().map(|c| c.code()).collect(),
            entries,
            page,
            has_next,
        },
    )
}
