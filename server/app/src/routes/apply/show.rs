use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_storage::models::application::ApplicationStatus;
use portal_web::components::FieldErrors;
use portal_web::form_view::answer_sections;
use portal_web::pages::apply::{ApplicationPage, EventRow};

use super::{application_id, form_title, resume_href};
use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::render::{self, see_other};
use crate::services::applications::{self, Opened};
use crate::services::catalogue;
use crate::services::history::japan_time;
use crate::state::AppState;

/// "2026年11月27日 14:05": a time in Japan in the page's language.
fn when(lang: portal_web::Lang, at: i64) -> String {
    let (date, time) = japan_time(at);
    portal_web::format::datetime(lang, &date, &time)
}

/// What the application page shows besides the application: the banners after an action, and the
/// message form as typed with its error.
#[derive(Default)]
pub struct Shown {
    pub just_sent: bool,
    pub withdrawn: bool,
    pub message_sent: bool,
    pub message: String,
    pub errors: FieldErrors,
}

/// An application: a draft continues where it needs answers; a sent one shows its receipt, status, whether
/// it was signed electronically, history and answers. `?sent=1` right after sending adds the confirmation
/// panel, `?withdrawn=1` and `?message=1` their banners.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    query: web::Query<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let id = application_id(&path.into_inner())?;
    let opened = applications::open(&state, signed_in.citizen, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if opened.editable() {
        return Ok(see_other(&resume_href(&opened)));
    }
    let flag = |name: &str| query.get(name).is_some_and(|v| v == "1");
    let shown = Shown {
        just_sent: flag("sent") && opened.status() == ApplicationStatus::Sent,
        withdrawn: flag("withdrawn") && opened.status() == ApplicationStatus::Withdrawn,
        message_sent: flag("message"),
        ..Shown::default()
    };
    draw(&req, &state, &signed_in, &opened, shown, StatusCode::OK).await
}

/// The application page for `opened`.
pub async fn draw(
    req: &HttpRequest,
    state: &AppState,
    signed_in: &SignedIn,
    opened: &Opened,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = opened.application.id;
    let shell = render::citizen_shell(req, state, signed_in).await?;
    let lang = shell.lang;
    let status_name = |code: &str| {
        lang.get(&format!("application.status_name.{code}"))
            .unwrap_or(code)
            .to_owned()
    };
    let events = applications::events(state, id)
        .await?
        .into_iter()
        .map(|e| {
            let text = match (e.status.as_deref(), e.actor.as_str()) {
                (Some(code), _) => status_name(code),
                (None, "citizen") => lang.t("application.message.from_citizen").to_owned(),
                (None, _) => lang.t("application.message.from_agency").to_owned(),
            };
            // What a proxy did for the citizen says who did it.
            let text = match &e.acted_by_name {
                Some(name) => format!(
                    "{text}{}",
                    lang.tf("application.by_proxy", &[("name", name.as_str())])
                ),
                None => text,
            };
            EventRow {
                at: when(lang, e.at),
                text,
                body: e.body.unwrap_or_default(),
            }
        })
        .collect();
    let signed_at = applications::signature(state, opened)
        .await?
        .map(|s| when(lang, s.signed_at));
    let application = &opened.application;
    let no_change = |_: usize| String::new();
    render::page(
        status,
        &ApplicationPage {
            id: id.to_string(),
            form_title: form_title(opened, lang),
            agency: catalogue::agency_name(&opened.definition.agency, lang),
            receipt_number: application.receipt_number.clone().unwrap_or_default(),
            submitted_at: application
                .submitted_at
                .map(|at| when(lang, at))
                .unwrap_or_default(),
            sent_by: application.acted_by_name.clone(),
            status: status_name(opened.status().code()),
            just_sent: shown.just_sent,
            sections: answer_sections(
                &opened.definition,
                &opened.answers,
                &BTreeSet::new(),
                lang,
                &no_change,
                &format!("/applications/{id}/files/"),
            ),
            events,
            can_withdraw: applications::WITHDRAWABLE.contains(&application.status.as_str()),
            withdrawn: shown.withdrawn,
            signed_at,
            can_message: applications::can_message(opened),
            message: shown.message,
            message_sent: shown.message_sent,
            errors: shown.errors,
            shell,
        },
    )
}
