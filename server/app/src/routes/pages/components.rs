use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::pages::ComponentsPage;

use crate::error::AppError;
use crate::render;

pub async fn show(req: HttpRequest) -> Result<HttpResponse, AppError> {
    render::page(
        StatusCode::OK,
        &ComponentsPage {
            shell: render::shell(&req),
        },
    )
}
