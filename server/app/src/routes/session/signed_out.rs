use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::sign_in::SignedOutPage;
use serde::Deserialize;

use crate::error::AppError;
use crate::render;

#[derive(Deserialize)]
pub struct Query {
    #[serde(default)]
    everywhere: Option<String>,
    #[serde(default)]
    timeout: Option<String>,
}

pub async fn show(req: HttpRequest, query: web::Query<Query>) -> Result<HttpResponse, AppError> {
    let page = SignedOutPage {
        shell: render::shell(&req),
        everywhere: query.everywhere.is_some(),
        timed_out: query.timeout.is_some(),
    };
    render::page(StatusCode::OK, &page)
}
