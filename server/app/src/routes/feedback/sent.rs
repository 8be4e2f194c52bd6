use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::feedback::Feedback;
use portal_web::pages::FeedbackSentPage;
use serde::Deserialize;

use crate::error::AppError;
use crate::render;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(rename = "ref", default)]
    reference: String,
}

/// Confirms a reference that exists; anything else is a 404, so the page never confirms what was not sent.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let reference = query.into_inner().reference;
    if reference.len() != "FB-20261126-ABCDEF".len() || !reference.starts_with("FB-") {
        return Err(AppError::NotFound);
    }
    let lookup = reference.clone();
    let found = state
        .db
        .run(move |conn| Feedback::find_by_reference(conn, &lookup))
        .await?;
    if found.is_none() {
        return Err(AppError::NotFound);
    }
    render::page(
        StatusCode::OK,
        &FeedbackSentPage {
            shell: render::shell(&req),
            reference,
        },
    )
}
