use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::notices::{NoticeFilterForm, NoticesPage};
use serde::Deserialize;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::page_number;
use crate::render;
use crate::services::inbox;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Query {
    #[serde(flatten)]
    form: NoticeFilterForm,
    page: Option<String>,
}

/// お知らせ, newest first, narrowed by the filter in the query (a GET form, so it works without JavaScript
/// and can be bookmarked). A page number that is not one, or a page past the last, is 404.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    query: web::Query<Query>,
) -> Result<HttpResponse, AppError> {
    let Query { form, page } = query.into_inner();
    let page = page_number(page.as_deref()).ok_or(AppError::NotFound)?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let listing = inbox::list(&state, signed_in.citizen, &form, page, shell.lang)
        .await?
        .ok_or(AppError::NotFound)?;
    render::page(
        StatusCode::OK,
        &NoticesPage {
            shell,
            form,
            senders: listing.senders,
            categories: inbox::categories(),
            rows: listing.rows,
            total: listing.total,
            page,
        },
    )
}
