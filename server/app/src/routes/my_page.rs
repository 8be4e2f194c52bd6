use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::citizen::Citizen;
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
    let id = signed_in.citizen;
    let citizen = state
        .db
        .run(move |c| Citizen::find(c, id))
        .await?
        .ok_or(AppError::SignInRequired)?;
    let mut shell = render::shell(&req);
    shell.session = Some(signed_in.view(&citizen.name));
    render::page(
        StatusCode::OK,
        &MyPage {
            shell,
            name: citizen.name,
        },
    )
}
