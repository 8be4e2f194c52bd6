use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
use crate::services::email_address;
use crate::state::AppState;

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
    match email_address::unsubscribe(&state, &token).await? {
        Some(row) => super::page(&req, token, &row.address, true),
        None => super::invalid(&req),
    }
}
