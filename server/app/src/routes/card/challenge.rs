use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::services::sign_in;
use crate::state::AppState;

/// `GET /card/challenge/{code}`: what to sign, for the code shown on the sign-in page (or in its QR code).
pub async fn show(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match sign_in::challenge_info(&state, &code).await? {
        Some(info) => {
            let message = String::from_utf8_lossy(&info.message()).into_owned();
            Ok(HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(serde_json::json!({
                    "code": info.code,
                    "origin": info.origin,
                    "nonce": info.nonce,
                    "purpose": info.purpose,
                    "message": message,
                })))
        }
        None => Ok(HttpResponse::NotFound().json(serde_json::json!({ "error": "expired" }))),
    }
}
