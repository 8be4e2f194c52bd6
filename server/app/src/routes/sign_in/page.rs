use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::sign_in::SignInPage;

use super::{browser_cookie, browser_secret, client_addr};
use crate::error::AppError;
use crate::random::token;
use crate::render;
use crate::services::sign_in::{self, CHALLENGE_TTL, display_code};
use crate::state::AppState;

/// A fresh challenge each time the page is opened.
pub async fn show(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let secret = browser_secret(&req).unwrap_or_else(|| token(32));
    let code = match sign_in::start(&state, &secret, &client_addr(&req)).await? {
        Ok(code) => code,
        Err(failure) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    LOCATION,
                    format!("/sign-in/failed?reason={}", failure.code()),
                ))
                .finish());
        }
    };
    let page = page(&req, &state, &code, false);
    let mut response = render::page(StatusCode::OK, &page)?;
    response
        .add_cookie(&browser_cookie(
            secret,
            req.connection_info().scheme() == "https",
        ))
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(response)
}

pub fn page(req: &HttpRequest, state: &AppState, code: &str, still_waiting: bool) -> SignInPage {
    SignInPage {
        shell: render::shell(req),
        code: display_code(code),
        qr_url: format!("/sign-in/qr/{code}.svg"),
        respond_url: format!("{}/card/challenge/{code}", state.config.public_url()),
        status_url: format!("/sign-in/status?code={code}"),
        expires_in_minutes: CHALLENGE_TTL.as_secs() / 60,
        demo: state.config.demo,
        still_waiting,
    }
}
