use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::sign_in::MyPage;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::state::AppState;

/// マイページ: the signed-in citizen's home.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let name = shell
        .session
        .as_ref()
        .map(|s| s.name.clone())
        .unwrap_or_default();
    render::page(StatusCode::OK, &MyPage { shell, name })
}
