use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::AppError;
use crate::services::sign_in::normalize_code;
use crate::state::AppState;

/// The challenge's card-app URL as a QR code (SVG). It carries only the code, which is public anyway.
pub async fn show(
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let code = normalize_code(file.strip_suffix(".svg").ok_or(AppError::NotFound)?);
    if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::NotFound);
    }
    let url = format!("{}/card/challenge/{code}", state.config.public_url());
    let qr = QrCode::new(url.as_bytes()).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let svg = qr
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(svg))
}
