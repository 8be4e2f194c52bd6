use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_web::Shell;
use portal_web::form_view::answer_sections;
use portal_web::pages::apply::ApplyCheckPage;

use super::{application_id, check_href, form_title};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::forms::csrf;
use crate::render::{self, see_other};
use crate::services::applications::{self, Opened, Submitted};
use crate::services::catalogue;
use crate::state::AppState;

/// Links from this page to the application's pages are relative (`pages/<page>`): the page lives at
/// `/applications/<id>/check`.
/// `can_sign`: the portal verifies electronic signatures, so "sign and send" is offered beside "send".
fn draw(
    shell: Shell,
    opened: &Opened,
    problems: &[(usize, portal_forms::answers::FieldError)],
    correction: Option<String>,
    can_sign: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let lang = shell.lang;
    let id = opened.application.id;
    let pages = &opened.definition.pages;
    let change = |page: usize| {
        pages
            .get(page)
            .map(|p| format!("pages/{}?return=check", p.id))
            .unwrap_or_default()
    };
    let missing = problems
        .iter()
        .filter_map(|(page, error)| {
            let page = pages.get(*page)?;
            let text = if lang == portal_web::Lang::Ja {
                error.message.ja.clone()
            } else {
                error.message.en.clone()
            };
            Some((
                format!("pages/{}?return=check#{}", page.id, error.input),
                text,
            ))
        })
        .collect();
    render::page(
        status,
        &ApplyCheckPage {
            form_title: form_title(opened, lang),
            agency: catalogue::agency_name(&opened.definition.agency, lang),
            sections: answer_sections(
                &opened.definition,
                &opened.answers,
                &opened.locked(),
                lang,
                &change,
                // Relative, as the change links: `/applications/<id>/files/<field>`.
                "files/",
            ),
            missing,
            correction,
            action: check_href(id),
            sign_href: can_sign.then(|| format!("/applications/{id}/sign")),
            back_href: pages
                .last()
                .map(|p| format!("pages/{}", p.id))
                .unwrap_or_else(|| format!("/applications/{id}")),
            shell,
        },
    )
}

async fn editable(
    state: &AppState,
    signed_in: &SignedIn,
    id: &str,
) -> Result<Result<Opened, HttpResponse>, AppError> {
    let id = application_id(id)?;
    let opened = applications::open(state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !opened.editable() {
        return Ok(Err(see_other(&format!("/applications/{id}"))));
    }
    Ok(Ok(opened))
}

/// Check your answers: every answer with a change link, and anything still missing linked to its page.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let opened = match editable(&state, &signed_in, &path.into_inner()).await? {
        Ok(opened) => opened,
        Err(redirect) => return Ok(redirect),
    };
    let shell = render::citizen_shell(&req, &state, &signed_in).await?;
    let problems = portal_forms::answers::check_all(&opened.definition, &opened.answers);
    let events = applications::events(&state, opened.application.id).await?;
    let correction = opened.correction_request(&events);
    let can_sign = state.cards.signature_verifier().is_some();
    draw(
        shell,
        &opened,
        &problems,
        correction,
        can_sign,
        StatusCode::OK,
    )
}

/// Sends the application; one still incomplete comes back with what is missing.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    form: web::Form<csrf::TokenOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&req, &form.csrf_token)?;
    let opened = match editable(&state, &signed_in, &path.into_inner()).await? {
        Ok(opened) => opened,
        Err(redirect) => return Ok(redirect),
    };
    let id = opened.application.id;
    match applications::submit(&state, &opened, signed_in.acting_proxy().as_ref()).await? {
        Submitted::Sent(_) => Ok(see_other(&format!("/applications/{id}?sent=1"))),
        Submitted::AlreadySent => Ok(see_other(&format!("/applications/{id}"))),
        Submitted::Incomplete(problems) => {
            let shell = render::citizen_shell(&req, &state, &signed_in).await?;
            let events = applications::events(&state, id).await?;
            let correction = opened.correction_request(&events);
            draw(
                shell,
                &opened,
                &problems,
                correction,
                state.cards.signature_verifier().is_some(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}
