use actix_web::{HttpRequest, HttpResponse, web};

use super::Query;
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::history;
use crate::render;
use crate::services::history as service;
use crate::state::AppState;

/// Every row the filter matches (the list's query; the page is ignored) as CSV in the page's language. A
/// bad filter is 400: the list page is where it can be corrected.
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let filter = history::validate(&query.form)
        .map_err(|_| AppError::BadRequest("the history filter is not valid".to_owned()))?;
    let lang = render::lang(&req);
    let entries = service::all(&state, signed_in.citizen, &filter, lang).await?;
    Ok(render::download(
        "text/csv; charset=utf-8",
        "history",
        "csv",
        service::csv(&entries, lang),
    ))
}
