use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::Lang;
use portal_web::pages::apply::ApplyStartPage;

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::{self, see_other};
use crate::services::{applications, catalogue, form_definitions};
use crate::state::AppState;

/// Before starting: what the form asks and how saving works; or the link to continue a saved draft.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let form_key = path.into_inner();
    let (form, definition) = form_definitions::latest(&state.db, form_key.clone())
        .await?
        .ok_or(AppError::NotFound)?;
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let lang = shell.lang;
    let draft = applications::draft_of(&state, signed_in.citizen, form_key.clone())
        .await?
        .map(|d| {
            (
                format!("/applications/{}", d.id),
                portal_web::format::date(lang, &crate::services::inbox::japan_date(d.updated_at)),
            )
        });
    let pick = |ja: &str, en: &str| if lang == Lang::Ja { ja } else { en }.to_owned();
    let agency = catalogue::agency_name(&definition.agency, lang);
    render::page(
        StatusCode::OK,
        &ApplyStartPage {
            form_title: pick(&form.title_ja, &form.title_en),
            agency,
            pages: definition
                .pages
                .iter()
                .map(|p| pick(&p.title.ja, &p.title.en))
                .collect(),
            action: format!("/apply/{form_key}"),
            draft,
            shell,
        },
    )
}

/// Starts the application (a draft saved before is continued instead) and goes to its first page.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<csrf::TokenOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let (id, first) = applications::start(
        &state,
        signed_in.citizen,
        &path.into_inner(),
        signed_in.acting_proxy().as_ref(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(see_other(&format!("/applications/{id}/pages/{first}")))
}
