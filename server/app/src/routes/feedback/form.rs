use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use portal_web::components::FieldErrors;
use portal_web::pages::{FeedbackForm, FeedbackPage};

use crate::error::AppError;
use crate::render;

pub async fn show(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let page = FeedbackPage {
        shell: render::shell(&req),
        form: FeedbackForm::default(),
        errors: FieldErrors::default(),
    };
    render::page(StatusCode::OK, &page)
}
