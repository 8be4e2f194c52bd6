use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::AppError;
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
    match email_address::by_unsubscribe_token(&state, &token).await? {
        Some(row) => super::page(&req, token, &row.address, false),
        None => super::invalid(&req),
    }
}
