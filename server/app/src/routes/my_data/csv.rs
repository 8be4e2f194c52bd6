use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::my_data;
use crate::state::AppState;

/// All of a category's records as CSV, headed by the field labels in the page's language.
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let category = super::category(&path)?;
    let records = my_data::all(&state, signed_in.citizen, category).await?;
    if let Some(proxy) = signed_in.acting_proxy() {
        my_data::record_proxy_read(&state, signed_in.citizen, &proxy, category, &records, true)
            .await?;
    }
    let body = my_data::csv(category, &records, render::lang(&req));
    Ok(render::download(
        "text/csv; charset=utf-8",
        category.code(),
        "csv",
        body,
    ))
}
