use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::my_data::MyDataPage;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::my_data;
use crate::state::AppState;

/// わたしの情報: every category with its count and last update, each linking to its records.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, AppError> {
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let categories = my_data::overview(&state, signed_in.citizen).await?;
    render::page(StatusCode::OK, &MyDataPage { shell, categories })
}
