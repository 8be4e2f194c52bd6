use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::pages::HomePage;

use crate::error::AppError;
use crate::render;

pub async fn show(req: HttpRequest) -> Result<HttpResponse, AppError> {
    render::page(
        StatusCode::OK,
        &HomePage {
            shell: render::shell(&req),
        },
    )
}
