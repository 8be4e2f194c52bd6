use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// Embedded static files. Names carry a content hash, so they can be cached for a year.
pub async fn serve(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let asset = portal_web::assets::find(&path).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, asset.content_type))
        .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(asset.bytes))
}
