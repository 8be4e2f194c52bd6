//! ぴったりサービス: the catalogue of procedures (anyone, signed in or not) and the page of one.

pub mod list;
pub mod show;

use actix_web::HttpRequest;
use portal_web::Shell;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::state::AppState;

/// The shell of a page anyone may see: a signed-in citizen keeps their header.
async fn any_shell(
    req: &HttpRequest,
    state: &AppState,
    signed_in: Option<&SignedIn>,
) -> Result<Shell, AppError> {
    match signed_in {
        Some(signed_in) => render::citizen_shell(req, state, signed_in).await,
        None => Ok(render::shell(req)),
    }
}
