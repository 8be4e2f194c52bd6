use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::services::{ServiceFilterForm, ServicesPage};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::catalogue;
use crate::state::AppState;

/// 手続きをさがす: the catalogue narrowed by the query (a GET form, so it works without JavaScript and can be
/// bookmarked).
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: Option<SignedIn>,
    query: web::Query<ServiceFilterForm>,
) -> Result<HttpResponse, AppError> {
    let form = query.into_inner();
    let shell = super::any_shell(&req, &state, signed_in.as_ref()).await?;
    let lang = shell.lang;
    let (categories, agencies) = catalogue::categories_and_agencies(lang);
    render::page(
        StatusCode::OK,
        &ServicesPage {
            rows: catalogue::find(&form, lang),
            life_events: catalogue::life_events(lang),
            categories,
            agencies,
            form,
            shell,
        },
    )
}
