use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::email_settings::{UnsubscribeInvalidPage, UnsubscribePage, masked_address};

use crate::error::AppError;
use crate::render;
use crate::services::email_address;
use crate::state::AppState;

/// Says what unsubscribing does and offers the button. Never unsubscribes: mail scanners and link
/// pre-fetchers follow links with GET.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let Some(row) = email_address::by_unsubscribe_token(&state, &token).await? else {
        return invalid(&req);
    };
    render::page(
        StatusCode::OK,
        &UnsubscribePage {
            shell: render::shell(&req),
            token,
            address: masked_address(&row.address),
            done: false,
        },
    )
}

/// Stops every alert for the link's address (it stays registered), however often it is sent.
///
/// Deliberately no CSRF check, and no cookie or body needed: a mail provider's RFC 8058 one-click request
/// (`List-Unsubscribe=One-Click`) has neither a session nor our form token. The unguessable token in the
/// path (32 random bytes, changed with the address) is the authority, and all it can do is stop mail.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let Some(row) = email_address::unsubscribe(&state, &token).await? else {
        return invalid(&req);
    };
    render::page(
        StatusCode::OK,
        &UnsubscribePage {
            shell: render::shell(&req),
            token,
            address: masked_address(&row.address),
            done: true,
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
