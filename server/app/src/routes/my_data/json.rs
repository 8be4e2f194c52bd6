use actix_web::{HttpResponse, web};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::my_data;
use crate::state::AppState;

/// All of a category's records as JSON: per record its category, fields, source and last update.
pub async fn download(
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
    let body = my_data::json(category, &records).to_string();
    Ok(render::download(
        "application/json",
        category.code(),
        "json",
        body,
    ))
}
