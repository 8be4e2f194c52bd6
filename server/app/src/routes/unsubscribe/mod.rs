//! The unsubscribe link in every alert (`/unsubscribe/<token>`): works without signing in, for the citizen
//! reading the mail and for their mail provider's one-click unsubscribe (RFC 8058).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::pages::email_settings::{UnsubscribeInvalidPage, UnsubscribePage, masked_address};

use crate::error::AppError;
use crate::render;

pub mod show;
pub mod submit;

/// The page for the link's address: the button (`done: false`) or the confirmation that alerts stopped.
fn page(
    req: &HttpRequest,
    token: String,
    address: &str,
    done: bool,
) -> Result<HttpResponse, AppError> {
    render::page(
        StatusCode::OK,
        &UnsubscribePage {
            shell: render::shell(req),
            token,
            address: masked_address(address),
            done,
        },
    )
}

/// 404 with its own explanation: how to manage alerts after signing in.
fn invalid(req: &HttpRequest) -> Result<HttpResponse, AppError> {
    render::page(
        StatusCode::NOT_FOUND,
        &UnsubscribeInvalidPage {
            shell: render::shell(req),
        },
    )
}
