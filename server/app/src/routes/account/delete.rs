use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::account::AccountDeletePage;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::render::see_other;
use crate::services::bank_account;
use crate::state::AppState;

/// Says what will be deleted and what that means; the deletion itself waits for the card.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let Some(account) = bank_account::current(&state, signed_in.citizen).await? else {
        return Ok(see_other("/account"));
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let directory = state.banks.get(&state.db).await?;
    let account = super::summary(&shell, &directory, &account);
    render::page(StatusCode::OK, &AccountDeletePage { shell, account })
}
