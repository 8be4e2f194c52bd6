use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::middleware::security::CSRF_COOKIE;

/// Double-submit check: the form's `csrf_token` must equal the SameSite=Strict cookie set with the page.
pub fn verify(req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let Some(cookie) = req.cookie(CSRF_COOKIE) else {
        return Err(AppError::Csrf);
    };
    let expected = cookie.value().as_bytes();
    if submitted.is_empty() || !bool::from(expected.ct_eq(submitted.as_bytes())) {
        return Err(AppError::Csrf);
    }
    Ok(())
}

/// A form whose only field that matters is its token (a button that does one thing).
#[derive(Debug, Default, serde::Deserialize)]
pub struct TokenOnly {
    #[serde(default)]
    pub csrf_token: String,
}
