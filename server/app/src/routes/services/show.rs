use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::pages::services::{ServiceFilterForm, ServicePage};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render;
use crate::services::catalogue;
use crate::state::AppState;

/// One procedure: who can apply, what is needed, and how. The query is the catalogue search the citizen
/// came from, kept for the way back.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: Option<SignedIn>,
    path: web::Path<String>,
    query: web::Query<ServiceFilterForm>,
) -> Result<HttpResponse, AppError> {
    let procedure = catalogue::get(&path.into_inner()).ok_or(AppError::NotFound)?;
    let shell = super::any_shell(&req, &state, signed_in.as_ref()).await?;
    let (title, summary, who, needs) = catalogue::texts(procedure, shell.lang);
    let search = query.into_inner().query();
    render::page(
        StatusCode::OK,
        &ServicePage {
            title,
            summary,
            who,
            needs,
            agency: catalogue::agency_name(&procedure.agency, shell.lang),
            start_href: procedure.form.as_ref().map(|form| format!("/apply/{form}")),
            back_href: if search.is_empty() {
                "/services".to_owned()
            } else {
                format!("/services?{search}")
            },
            shell,
        },
    )
}
