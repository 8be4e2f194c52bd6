//! The agency's side of applications (ぴったりサービス): the sent applications of its forms, one with its
//! answers and history, exports, status changes and messages. Every status change and message reaches the
//! citizen as a notice (with its e-mail alert), pointing at the application.

use portal_forms::answers::{self, Answers};
use portal_storage::ids::{ApplicationEventId, ApplicationId};
use portal_storage::models::agency::Agency;
use portal_storage::models::application::{
    Application, ApplicationEvent, ApplicationStatus, FormDefinition,
};
use portal_storage::{StorageError, now_millis, transaction};

use crate::error::AppError;
use crate::services::agencies::{self, AgencyPrincipal};
use crate::services::csv::Csv;
use crate::services::form_definitions;
use crate::services::notices::{self, Content, Refusal};
use crate::state::AppState;

/// The most applications one list call returns.
pub const MAX_LIST: i64 = 500;

/// The statuses an agency may move an application to, each from the statuses it may come from. A
/// correction request goes back to review when the citizen sends the corrected application.
pub fn allowed_from(to: ApplicationStatus) -> &'static [&'static str] {
    match to {
        ApplicationStatus::Received => &["sent"],
        ApplicationStatus::Reviewing => &["received"],
        ApplicationStatus::Correction => &["received", "reviewing"],
        ApplicationStatus::Completed => &["received", "reviewing"],
        ApplicationStatus::Rejected => &["sent", "received", "reviewing"],
        ApplicationStatus::Draft | ApplicationStatus::Sent | ApplicationStatus::Withdrawn => &[],
    }
}

/// A sent application as the agency sees it: the citizen by the agency's pseudonym.
#[derive(Debug, Clone)]
pub struct Seen {
    pub application: Application,
    pub form: FormDefinition,
    pub citizen: String,
    /// The proxy (代理人) who sent it for the citizen: the agency's pseudonym for them, and their name.
    pub acted_by: Option<(String, String)>,
    pub answers: Answers,
}

fn parse_answers(application: &Application) -> Result<Answers, AppError> {
    serde_json::from_str(&application.answers)
        .map_err(|e| AppError::Storage(StorageError::Malformed(format!("answers: {e}"))))
}

fn seen(agency: &Agency, application: Application, form: FormDefinition) -> Result<Seen, AppError> {
    Ok(Seen {
        citizen: agencies::pseudonym(agency, application.citizen_id),
        acted_by: application.acted_by.map(|id| {
            (
                agencies::pseudonym(agency, id),
                application.acted_by_name.clone().unwrap_or_default(),
            )
        }),
        answers: parse_answers(&application)?,
        application,
        form,
    })
}

/// The form version an agency names: its own form, the given version or the newest.
fn own_form(
    conn: &mut portal_storage::AnyConnection,
    principal: &AgencyPrincipal,
    form_key: &str,
    version: Option<i32>,
) -> Result<Option<FormDefinition>, StorageError> {
    let forms = FormDefinition::of_agency(conn, principal.agency_id)?;
    Ok(forms
        .into_iter()
        .filter(|f| f.form_key == form_key)
        .find(|f| version.is_none_or(|v| v == f.version)))
}

/// One version's sent applications, oldest first, of one status or all, after a cursor.
pub async fn list(
    state: &AppState,
    principal: &AgencyPrincipal,
    form_key: String,
    version: Option<i32>,
    status: Option<ApplicationStatus>,
    after: Option<ApplicationId>,
    limit: i64,
) -> Result<Option<Vec<Seen>>, AppError> {
    let principal = principal.clone();
    let found = state
        .db
        .run(move |c| {
            let Some(form) = own_form(c, &principal, &form_key, version)? else {
                return Ok(None);
            };
            let Some(agency) = Agency::find(c, principal.agency_id)? else {
                return Ok(None);
            };
            let cursor = match after {
                Some(id) => Application::find_for_agency(c, principal.agency_id, id)?
                    .and_then(|a| a.submitted_at.map(|at| (at, a.id))),
                None => None,
            };
            let rows = Application::list_for_form(
                c,
                form.id,
                status.map(ApplicationStatus::code),
                cursor,
                limit.clamp(1, MAX_LIST),
            )?;
            Ok(Some((agency, form, rows)))
        })
        .await?;
    let Some((agency, form, rows)) = found else {
        return Ok(None);
    };
    rows.into_iter()
        .map(|a| seen(&agency, a, form.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The agency's forms, newest version of each, by form key.
pub async fn forms(
    state: &AppState,
    principal: &AgencyPrincipal,
) -> Result<Vec<FormDefinition>, AppError> {
    let agency = principal.agency_id;
    let mut all = state
        .db
        .run(move |c| FormDefinition::of_agency(c, agency))
        .await?;
    // Newest version first within a form: keep the first of each key.
    all.dedup_by(|later, first| later.form_key == first.form_key);
    Ok(all)
}

/// A queue page: `page` (from 1) of `per_page` sent applications of every version of the agency's form
/// `form_key`, newest first, one status or all, and whether another page follows. `None`: no such form.
pub async fn queue(
    state: &AppState,
    principal: &AgencyPrincipal,
    form_key: String,
    status: Option<ApplicationStatus>,
    page: usize,
    per_page: i64,
) -> Result<Option<(Vec<Seen>, bool)>, AppError> {
    let agency_id = principal.agency_id;
    let offset = i64::try_from(page.saturating_sub(1)).unwrap_or(0) * per_page;
    let found = state
        .db
        .run(move |c| {
            let versions: Vec<FormDefinition> = FormDefinition::of_agency(c, agency_id)?
                .into_iter()
                .filter(|f| f.form_key == form_key)
                .collect();
            if versions.is_empty() {
                return Ok(None);
            }
            let Some(agency) = Agency::find(c, agency_id)? else {
                return Ok(None);
            };
            let ids: Vec<_> = versions.iter().map(|f| f.id).collect();
            let rows = Application::page_for_forms(
                c,
                &ids,
                status.map(ApplicationStatus::code),
                per_page + 1,
                offset,
            )?;
            Ok(Some((agency, versions, rows)))
        })
        .await?;
    let Some((agency, versions, mut rows)) = found else {
        return Ok(None);
    };
    let has_next = rows.len() > usize::try_from(per_page).unwrap_or(0);
    rows.truncate(usize::try_from(per_page).unwrap_or(0));
    let seen_rows = rows
        .into_iter()
        .filter_map(|a| {
            let form = versions
                .iter()
                .find(|f| f.id == a.form_definition_id)?
                .clone();
            Some(seen(&agency, a, form))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((seen_rows, has_next)))
}

/// One sent application of the agency's, with its history.
pub async fn get(
    state: &AppState,
    principal: &AgencyPrincipal,
    id: ApplicationId,
) -> Result<Option<(Seen, Vec<ApplicationEvent>)>, AppError> {
    let agency_id = principal.agency_id;
    let found = state
        .db
        .run(move |c| {
            let Some(application) = Application::find_for_agency(c, agency_id, id)? else {
                return Ok(None);
            };
            let form = FormDefinition::find(c, application.form_definition_id)?;
            let agency = Agency::find(c, agency_id)?;
            let events = ApplicationEvent::of(c, id)?;
            Ok(form.zip(agency).map(|(f, a)| (application, f, a, events)))
        })
        .await?;
    let Some((application, form, agency, events)) = found else {
        return Ok(None);
    };
    Ok(Some((seen(&agency, application, form)?, events)))
}

/// A form version's sent applications as CSV: `receipt_number, status, submitted_at, citizen`, then one
/// column per field as `portal_forms::answers::csv_header` documents it.
pub async fn export_csv(
    state: &AppState,
    principal: &AgencyPrincipal,
    form_key: String,
    version: Option<i32>,
) -> Result<Option<String>, AppError> {
    let Some(all) = list(state, principal, form_key, version, None, None, MAX_LIST).await? else {
        return Ok(None);
    };
    let Some(first) = all.first() else {
        return Ok(Some(Csv::default().finish()));
    };
    let (_, definition) = form_definitions::parsed(first.form.clone())?;
    let mut head = vec![
        "receipt_number".to_owned(),
        "status".to_owned(),
        "submitted_at".to_owned(),
        "citizen".to_owned(),
        "acted_by".to_owned(),
        "acted_by_name".to_owned(),
    ];
    head.extend(answers::csv_header(&definition));
    let mut out = Csv::default();
    out.row(&head);
    for s in &all {
        let mut row = vec![
            s.application.receipt_number.clone().unwrap_or_default(),
            s.application.status.clone(),
            s.application
                .submitted_at
                .map(|at| at.to_string())
                .unwrap_or_default(),
            s.citizen.clone(),
            s.acted_by.as_ref().map(|a| a.0.clone()).unwrap_or_default(),
            s.acted_by.as_ref().map(|a| a.1.clone()).unwrap_or_default(),
        ];
        row.extend(answers::csv_row(&definition, &s.answers));
        out.row(&row);
    }
    Ok(Some(out.finish()))
}

fn status_notice(
    state: &AppState,
    id: ApplicationId,
    receipt: &str,
    title: String,
    body: String,
    important: bool,
) -> Content {
    Content {
        title,
        body,
        lang: Some("ja".to_owned()),
        category: "other".to_owned(),
        importance: Some(if important { "high" } else { "normal" }.to_owned()),
        deadline: None,
        action_url: Some(format!("{}/applications/{id}", state.config.public_url())),
        action_label: Some(format!("申請（{receipt}）を見る")),
        expires_on: None,
    }
}

/// Posts the notice to the citizen. The content is the portal's own, so a refusal is a bug to log, not
/// the agency's error.
async fn tell(
    state: &AppState,
    principal: &AgencyPrincipal,
    citizen: &str,
    notice: Content,
) -> Result<(), AppError> {
    if let Err(refusal) =
        notices::post_to_list(state, principal, notice, vec![citizen.to_owned()]).await?
    {
        tracing::error!(
            ?refusal,
            "the notice of an application's change was refused"
        );
    }
    Ok(())
}

/// Moves an application to `to`, with a message for the citizen (required for a correction, which also
/// names the fields to correct); records the event and tells the citizen.
pub async fn change_status(
    state: &AppState,
    principal: &AgencyPrincipal,
    id: ApplicationId,
    to: ApplicationStatus,
    message: Option<String>,
    fields: Vec<String>,
) -> Result<Result<Seen, Refusal>, AppError> {
    let Some((current, _)) = get(state, principal, id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let message = message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    let from = allowed_from(to);
    if from.is_empty() {
        return Ok(Err(Refusal::invalid(
            "status",
            "an agency can move an application to received, reviewing, correction, completed or rejected",
        )));
    }
    if !from.contains(&current.application.status.as_str()) {
        return Ok(Err(Refusal::invalid(
            "status",
            format!(
                "an application that is {} cannot become {}: from {}",
                current.application.status,
                to.code(),
                from.join(" or ")
            ),
        )));
    }
    let correction = if to == ApplicationStatus::Correction {
        let (_, definition) = form_definitions::parsed(current.form.clone())?;
        let known: Vec<String> = definition
            .fields()
            .into_iter()
            .map(|(_, f)| f.id.clone())
            .collect();
        if fields.is_empty() {
            return Ok(Err(Refusal::invalid(
                "fields",
                "name the fields to correct",
            )));
        }
        if let Some(unknown) = fields.iter().find(|f| !known.contains(f)) {
            return Ok(Err(Refusal::invalid(
                "fields",
                format!("the form has no field “{unknown}”"),
            )));
        }
        if message.is_none() {
            return Ok(Err(Refusal::invalid(
                "message",
                "say what to correct: the citizen reads it",
            )));
        }
        Some(
            serde_json::to_string(&fields)
                .map_err(|e| AppError::Storage(StorageError::Malformed(format!("fields: {e}"))))?,
        )
    } else {
        None
    };
    let now = now_millis();
    let body = message.clone();
    let changed = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                if !Application::set_status(c, id, from, to, correction.as_deref(), now)? {
                    return Ok(false);
                }
                ApplicationEvent::insert(
                    c,
                    &ApplicationEvent {
                        id: ApplicationEventId::new(),
                        application_id: id,
                        kind: "status".to_owned(),
                        status: Some(to.code().to_owned()),
                        actor: "agency".to_owned(),
                        body,
                        at: now,
                        acted_by: None,
                        acted_by_name: None,
                    },
                )?;
                Ok(true)
            })
        })
        .await?;
    if !changed {
        return Ok(Err(Refusal::invalid(
            "status",
            "the application changed meanwhile: read it again",
        )));
    }
    let receipt = current
        .application
        .receipt_number
        .clone()
        .unwrap_or_default();
    let name = portal_web::Lang::Ja
        .get(&format!("application.status_name.{}", to.code()))
        .unwrap_or(to.code())
        .to_owned();
    let mut body = format!(
        "{}（受付番号 {receipt}）の状況が「{name}」になりました。",
        current.form.title_ja
    );
    if let Some(message) = &message {
        body.push_str("\n\n");
        body.push_str(message);
    }
    let notice = status_notice(
        state,
        id,
        &receipt,
        format!("申請の状況が「{name}」になりました"),
        body,
        to == ApplicationStatus::Correction,
    );
    tell(state, principal, &current.citizen, notice).await?;
    Ok(get(state, principal, id)
        .await?
        .map(|(s, _)| s)
        .ok_or(Refusal::NotFound))
}

/// A message to the citizen about their application; it is part of the application's history.
pub async fn send_message(
    state: &AppState,
    principal: &AgencyPrincipal,
    id: ApplicationId,
    message: String,
) -> Result<Result<(), Refusal>, AppError> {
    let message = message.trim().to_owned();
    if message.is_empty() {
        return Ok(Err(Refusal::invalid("message", "the message is empty")));
    }
    let Some((current, _)) = get(state, principal, id).await? else {
        return Ok(Err(Refusal::NotFound));
    };
    let body = message.clone();
    state
        .db
        .run(move |c| {
            ApplicationEvent::insert(
                c,
                &ApplicationEvent {
                    id: ApplicationEventId::new(),
                    application_id: id,
                    kind: "message".to_owned(),
                    status: None,
                    actor: "agency".to_owned(),
                    body: Some(body),
                    at: now_millis(),
                    acted_by: None,
                    acted_by_name: None,
                },
            )
        })
        .await?;
    let receipt = current
        .application
        .receipt_number
        .clone()
        .unwrap_or_default();
    let notice = status_notice(
        state,
        id,
        &receipt,
        "申請についてメッセージが届きました".to_owned(),
        format!(
            "{}（受付番号 {receipt}）について\n\n{message}",
            current.form.title_ja
        ),
        false,
    );
    tell(state, principal, &current.citizen, notice).await?;
    Ok(Ok(()))
}
