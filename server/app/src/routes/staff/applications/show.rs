use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use portal_forms::answers::Value;
use portal_storage::ids::ApplicationId;
use portal_storage::models::application::{
    ApplicationEvent, ApplicationSignature, ApplicationStatus,
};
use portal_web::Lang;
use portal_web::components::FieldErrors;
use portal_web::form_view::{answer_sections, download_text};
use portal_web::pages::apply::EventRow;
use portal_web::pages::staff_applications::StaffApplicationPage;

use super::{ROLE, application_id, status_name, when};
use crate::auth::staff::StaffOnDuty;
use crate::error::AppError;
use crate::render;
use crate::services::application_review::{self, Seen};
use crate::services::{application_signing, form_definitions};
use crate::state::AppState;

/// The statuses staff may move an application to, in the order of the process.
const TARGETS: [ApplicationStatus; 5] = [
    ApplicationStatus::Received,
    ApplicationStatus::Reviewing,
    ApplicationStatus::Correction,
    ApplicationStatus::Completed,
    ApplicationStatus::Rejected,
];

/// The statuses an application in `current` may move to now.
pub fn next_statuses(current: &str) -> Vec<ApplicationStatus> {
    TARGETS
        .into_iter()
        .filter(|to| application_review::allowed_from(*to).contains(&current))
        .collect()
}

/// What the page shows besides the application: the banner after a change, or the forms as typed with
/// their errors.
#[derive(Default)]
pub struct Shown {
    pub done: Option<&'static str>,
    pub status: String,
    pub status_message: String,
    pub fields: Vec<String>,
    pub message: String,
    pub errors: FieldErrors,
}

/// One application of the agency's; another agency's is not found. `?done=status|message` after a change
/// adds its banner.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    on_duty: StaffOnDuty,
    path: web::Path<String>,
    query: web::Query<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    on_duty.require(ROLE)?;
    let id = application_id(&path.into_inner())?;
    let done = match query.get("done").map(String::as_str) {
        Some("status") => Some("status"),
        Some("message") => Some("message"),
        _ => None,
    };
    let shown = Shown {
        done,
        ..Shown::default()
    };
    draw(&req, &state, &on_duty, id, shown, StatusCode::OK).await
}

/// A history event in words: a status, or a message from the citizen, their proxy or the agency.
fn event_row(lang: Lang, event: ApplicationEvent) -> EventRow {
    let proxy = event.acted_by_name.clone().filter(|n| !n.is_empty());
    let text = match (event.status.as_deref(), event.actor.as_str(), proxy) {
        (Some(code), _, Some(name)) => lang.tf(
            "staff.applications.event_status_by_proxy",
            &[("status", &status_name(lang, code)), ("name", &name)],
        ),
        (Some(code), _, None) => status_name(lang, code),
        (None, "citizen", Some(name)) => {
            lang.tf("staff.applications.event_proxy", &[("name", &name)])
        }
        (None, "citizen", None) => lang.t("staff.applications.event_citizen").to_owned(),
        (None, _, _) => lang.t("staff.applications.event_agency").to_owned(),
    };
    EventRow {
        at: when(lang, event.at),
        text,
        body: event.body.unwrap_or_default(),
    }
}

/// The signature over the answers as sent, if any.
async fn signature(
    state: &AppState,
    seen: &Seen,
) -> Result<Option<ApplicationSignature>, AppError> {
    let digest = application_signing::digest_hex(
        seen.application.id,
        &seen.form.form_key,
        seen.form.version,
        &seen.answers,
    )?;
    let id = seen.application.id;
    let all = state
        .db
        .run(move |c| ApplicationSignature::of(c, id))
        .await?;
    Ok(application_signing::current(&all, &digest).cloned())
}

/// The application page for `id`, with `shown`.
pub async fn draw(
    req: &HttpRequest,
    state: &AppState,
    on_duty: &StaffOnDuty,
    id: ApplicationId,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let principal = on_duty.duty.principal();
    let (seen, events) = application_review::get(state, &principal, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let shell = render::staff_shell(req, on_duty);
    let lang = shell.lang;
    let ja = lang == Lang::Ja;
    let (_, definition) = form_definitions::parsed(seen.form.clone())?;
    let signed = signature(state, &seen)
        .await?
        .map(|s| (s.signer_name.clone(), when(lang, s.signed_at)));
    let label = |l: &portal_forms::Localized| if ja { l.ja.clone() } else { l.en.clone() };
    let attachments = definition
        .fields()
        .into_iter()
        .filter_map(|(_, field)| match seen.answers.0.get(&field.id) {
            Some(Value::File(file)) => Some((label(&field.label), download_text(file, lang))),
            _ => None,
        })
        .collect();
    let next = next_statuses(&seen.application.status);
    let status_options = next
        .iter()
        .map(|to| {
            (
                to.code().to_owned(),
                status_name(lang, to.code()),
                String::new(),
                shown.status == to.code(),
            )
        })
        .collect();
    let field_options = if next.contains(&ApplicationStatus::Correction) {
        definition
            .fields()
            .into_iter()
            .filter(|(_, f)| f.kind().is_some())
            .map(|(_, f)| {
                (
                    f.id.clone(),
                    label(&f.label),
                    String::new(),
                    shown.fields.contains(&f.id),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let application = &seen.application;
    let no_change = |_: usize| String::new();
    render::page(
        status,
        &StaffApplicationPage {
            id: id.to_string(),
            form_title: if ja {
                seen.form.title_ja.clone()
            } else {
                seen.form.title_en.clone()
            },
            receipt_number: application.receipt_number.clone().unwrap_or_default(),
            status: status_name(lang, &application.status),
            submitted_at: application
                .submitted_at
                .map(|at| when(lang, at))
                .unwrap_or_default(),
            citizen: seen.citizen.clone(),
            proxy: seen
                .acted_by
                .as_ref()
                .map(|(pseudonym, name)| (name.clone(), pseudonym.clone())),
            sections: answer_sections(
                &definition,
                &seen.answers,
                &BTreeSet::new(),
                lang,
                &no_change,
                "",
            ),
            attachments,
            events: events.into_iter().map(|e| event_row(lang, e)).collect(),
            signature: signed,
            status_options,
            field_options,
            status_message: shown.status_message,
            message: shown.message,
            errors: shown.errors,
            done: shown.done,
            shell,
        },
    )
}
