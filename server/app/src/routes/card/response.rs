use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_web::pages::sign_in::SignInFailure;
use serde::Deserialize;

use crate::error::AppError;
use crate::routes::sign_in::client_addr;
use crate::services::sign_in;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Answer {
    code: String,
    /// The authentication certificate, DER, base64.
    certificate: String,
    /// PKCS#1 v1.5 SHA-256 signature over the challenge's message, base64.
    signature: String,
}

/// `POST /card/response`: the card's answer. `{"result":"ok"}`, or `{"error":"<reason>"}` with 4xx.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    answer: web::Json<Answer>,
) -> Result<HttpResponse, AppError> {
    let (Ok(certificate), Ok(signature)) = (
        STANDARD.decode(&answer.certificate),
        STANDARD.decode(&answer.signature),
    ) else {
        return Ok(HttpResponse::BadRequest().json(serde_json::json!({ "error": "malformed" })));
    };
    match sign_in::respond(
        &state,
        &answer.code,
        &certificate,
        &signature,
        &client_addr(&req),
    )
    .await?
    {
        Ok(()) => Ok(HttpResponse::Ok().json(serde_json::json!({ "result": "ok" }))),
        Err(failure) => {
            let mut response = match failure {
                SignInFailure::TooManyAttempts => HttpResponse::TooManyRequests(),
                SignInFailure::Expired => HttpResponse::Gone(),
                _ => HttpResponse::Forbidden(),
            };
            Ok(response.json(serde_json::json!({ "error": failure.code() })))
        }
    }
}
