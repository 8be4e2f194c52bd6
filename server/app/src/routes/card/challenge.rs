use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::services::sign_in;
use crate::state::AppState;

/// `GET /card/challenge/{code}`: what to sign, for the code shown on the sign-in page (or in its QR code).
/// An application's signing challenge has no `message`: it carries the `document` whose digest the
/// signature key signs (the form and its title for the card app to show; never whose card must sign).
pub async fn show(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    match sign_in::challenge_info(&state, &code).await? {
        Some(info) => {
            let (message, document) = match &info.document {
                None => (
                    Some(String::from_utf8_lossy(&info.message()).into_owned()),
                    None,
                ),
                Some(d) => (
                    None,
                    Some(serde_json::json!({
                        "application": d.application,
                        "form": d.form,
                        "version": d.version,
                        "title_ja": d.title_ja,
                        "title_en": d.title_en,
                        "digest": d.digest,
                    })),
                ),
            };
            let mut body = serde_json::json!({
                "code": info.code,
                "origin": info.origin,
                "nonce": info.nonce,
                "purpose": info.purpose,
                "message": message,
            });
            if let (Some(document), Some(map)) = (document, body.as_object_mut()) {
                map.insert("document".to_owned(), document);
            }
            Ok(HttpResponse::Ok()
                .insert_header(("cache-control", "no-store"))
                .json(body))
        }
        None => Ok(HttpResponse::NotFound().json(serde_json::json!({ "error": "expired" }))),
    }
}
