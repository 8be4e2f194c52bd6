//! Applications (ぴったりサービス): a draft is stored from the moment the citizen starts, prefilled, and saved
//! at every page, so it survives sign-out and the idle time-out; submitting checks it whole, gives a receipt
//! number and records that the answers went to the agency (やりとり履歴).

use std::collections::BTreeSet;

use portal_forms::Definition;
use portal_forms::answers::{self, Answers, FieldError};
use portal_storage::ids::{ApplicationEventId, ApplicationId, CitizenId};
use portal_storage::models::agency::Agency;
use portal_storage::models::application::{
    Application, ApplicationEvent, ApplicationListed, ApplicationSignature, ApplicationStatus,
    FormDefinition,
};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::email_address::EmailAddress;
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::models::proxy::ActingProxy;
use portal_storage::{StorageError, now_millis, transaction};

use crate::error::AppError;
use crate::services::prefill::{self, Sources};
use crate::services::{attachments, form_definitions};
use crate::state::AppState;

/// Applications listed per page of 申請の状況.
pub const PAGE_SIZE: i64 = 20;

/// An application with its form, read back for a page.
#[derive(Debug, Clone)]
pub struct Opened {
    pub application: Application,
    pub form: FormDefinition,
    pub definition: Definition,
    pub answers: Answers,
    pub sources: Sources,
}

impl Opened {
    pub fn status(&self) -> ApplicationStatus {
        self.application.status().unwrap_or(ApplicationStatus::Sent)
    }

    /// The citizen may change the answers: a draft, or one the agency asked to correct.
    pub fn editable(&self) -> bool {
        matches!(
            self.status(),
            ApplicationStatus::Draft | ApplicationStatus::Correction
        )
    }

    /// The agency's latest message asking for a correction, while one is asked for.
    pub fn correction_request(&self, events: &[ApplicationEvent]) -> Option<String> {
        (self.status() == ApplicationStatus::Correction)
            .then(|| {
                events
                    .iter()
                    .rev()
                    .find(|e| e.status.as_deref() == Some(ApplicationStatus::Correction.code()))
                    .and_then(|e| e.body.clone())
            })
            .flatten()
    }

    /// Fields whose value was prefilled and that the definition locks.
    pub fn locked(&self) -> BTreeSet<String> {
        self.definition
            .fields()
            .into_iter()
            .filter(|(_, f)| f.locked && self.sources.contains_key(&f.id))
            .map(|(_, f)| f.id.clone())
            .collect()
    }

    /// The index of a page by its id.
    pub fn page_index(&self, page_id: &str) -> Option<usize> {
        self.definition.pages.iter().position(|p| p.id == page_id)
    }
}

fn malformed(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Storage(StorageError::Malformed(format!("{what}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| malformed("answers", e))
}

/// The citizen's saved draft of the newest version's form, if any.
pub async fn draft_of(
    state: &AppState,
    citizen: CitizenId,
    form_key: String,
) -> Result<Option<Application>, AppError> {
    Ok(state
        .db
        .run(move |c| Application::draft_of(c, citizen, &form_key))
        .await?)
}

/// Starts an application of a form's newest version, prefilled from what the portal holds; an existing
/// draft is returned instead of a second one. The id and the form's first page; `None` when no such form
/// is published.
pub async fn start(
    state: &AppState,
    citizen: CitizenId,
    form_key: &str,
    acting: Option<&ActingProxy>,
) -> Result<Option<(ApplicationId, String)>, AppError> {
    let Some((form, definition)) = form_definitions::latest(&state.db, form_key.to_owned()).await?
    else {
        return Ok(None);
    };
    let first = definition
        .pages
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    if let Some(draft) = draft_of(state, citizen, form_key.to_owned()).await? {
        return Ok(Some((draft.id, first)));
    }
    let (answers, sources) = prefill::prefill(state, citizen, &definition).await?;
    let now = now_millis();
    let row = Application {
        id: ApplicationId::new(),
        citizen_id: citizen,
        form_definition_id: form.id,
        agency_id: form.agency_id,
        status: ApplicationStatus::Draft.code().to_owned(),
        answers: to_json(&answers)?,
        sources: to_json(&sources)?,
        receipt_number: None,
        correction_fields: None,
        created_at: now,
        updated_at: now,
        submitted_at: None,
        acted_by: acting.map(|a| a.id),
        acted_by_name: acting.map(|a| a.name.clone()),
    };
    let id = row.id;
    state.db.run(move |c| Application::insert(c, &row)).await?;
    Ok(Some((id, first)))
}

/// One of the citizen's applications with its form; `None` for one that is not theirs.
pub async fn open(
    state: &AppState,
    citizen: CitizenId,
    id: ApplicationId,
) -> Result<Option<Opened>, AppError> {
    let found = state
        .db
        .run(move |c| {
            let Some(application) = Application::find_for(c, citizen, id)? else {
                return Ok(None);
            };
            let form = FormDefinition::find(c, application.form_definition_id)?;
            Ok(form.map(|form| (application, form)))
        })
        .await?;
    let Some((application, form)) = found else {
        return Ok(None);
    };
    let (form, definition) = form_definitions::parsed(form)?;
    let answers: Answers =
        serde_json::from_str(&application.answers).map_err(|e| malformed("answers", e))?;
    let sources: Sources =
        serde_json::from_str(&application.sources).map_err(|e| malformed("sources", e))?;
    Ok(Some(Opened {
        application,
        form,
        definition,
        answers,
        sources,
    }))
}

/// Saves a draft's answers; a prefilled value the citizen changed no longer claims its source.
pub async fn save(
    state: &AppState,
    opened: &Opened,
    answers: &Answers,
    acting: Option<&ActingProxy>,
) -> Result<(), AppError> {
    let mut sources = opened.sources.clone();
    sources.retain(|field, _| opened.answers.0.get(field) == answers.0.get(field));
    let (id, answers, sources) = (opened.application.id, to_json(answers)?, to_json(&sources)?);
    let acting = acting.cloned();
    state
        .db
        .run(move |c| {
            Application::save_answers(c, id, &answers, &sources, now_millis(), acting.as_ref())
        })
        .await?;
    Ok(())
}

/// What submitting came to.
pub enum Submitted {
    /// Sent: the receipt number.
    Sent(String),
    /// Not sent: what is missing or wrong, with the page each is on.
    Incomplete(Vec<(usize, FieldError)>),
    /// It was no longer a draft (sent already, from another tab).
    AlreadySent,
}

/// Checks the whole application and sends it: the status, the receipt number, the first event of its
/// history and a linkage record naming the agency that received the answers, all in one transaction.
pub async fn submit(
    state: &AppState,
    opened: &Opened,
    acting: Option<&ActingProxy>,
) -> Result<Submitted, AppError> {
    send(state, opened, None, acting).await
}

/// What sending a signed application came to.
pub enum SignedSubmission {
    Submitted(Submitted),
    /// The answers are no longer those signed: nothing was sent.
    Changed,
}

/// Sends an application the citizen signed ([`crate::services::application_signing`]): only if the answers
/// are still those whose digest was signed, and then exactly as [`submit`] does, with the signature
/// stored in the same transaction.
pub async fn submit_signed(
    state: &AppState,
    opened: &Opened,
    signed: &crate::services::application_signing::Signed,
    acting: Option<&ActingProxy>,
) -> Result<SignedSubmission, AppError> {
    if crate::services::application_signing::digest_of(opened)? != signed.digest {
        return Ok(SignedSubmission::Changed);
    }
    let row = signed.row(opened.application.id);
    Ok(SignedSubmission::Submitted(
        send(state, opened, Some(row), acting).await?,
    ))
}

async fn send(
    state: &AppState,
    opened: &Opened,
    signature: Option<ApplicationSignature>,
    acting: Option<&ActingProxy>,
) -> Result<Submitted, AppError> {
    let acting = acting.cloned();
    let problems = answers::check_all(&opened.definition, &opened.answers);
    if !problems.is_empty() {
        return Ok(Submitted::Incomplete(problems));
    }
    let sent = answers::without_hidden(&opened.definition, &opened.answers);
    let answers_json = to_json(&sent)?;
    let sent_files = attachments::keys(&sent);
    let now = now_millis();
    let correcting = opened.status() == ApplicationStatus::Correction;
    let receipt = match (&opened.application.receipt_number, correcting) {
        (Some(number), true) => number.clone(),
        _ => crate::random::reference("AP", crate::japan_today()),
    };
    let application = opened.application.clone();
    let (form_key, title) = (opened.form.form_key.clone(), opened.form.title_ja.clone());
    let providers: Vec<String> = {
        let mut holders: Vec<String> = opened.sources.values().map(|s| s.holder.clone()).collect();
        holders.sort();
        holders.dedup();
        holders
    };
    let items: Vec<String> = {
        let mut kinds: Vec<String> = opened.sources.values().map(|s| s.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    };
    let number = receipt.clone();
    let done = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                // A corrected application goes back to review under its receipt number.
                let (sent, now_status) = if correcting {
                    (
                        Application::resubmit(
                            c,
                            application.id,
                            &answers_json,
                            now,
                            acting.as_ref(),
                        )?,
                        ApplicationStatus::Reviewing,
                    )
                } else {
                    (
                        Application::submit(
                            c,
                            application.id,
                            &answers_json,
                            &number,
                            now,
                            acting.as_ref(),
                        )?,
                        ApplicationStatus::Sent,
                    )
                };
                if !sent {
                    return Ok(false);
                }
                if let Some(signature) = &signature {
                    ApplicationSignature::insert(c, signature)?;
                }
                ApplicationEvent::insert(
                    c,
                    &ApplicationEvent {
                        id: ApplicationEventId::new(),
                        application_id: application.id,
                        kind: "status".to_owned(),
                        status: Some(now_status.code().to_owned()),
                        actor: "citizen".to_owned(),
                        body: None,
                        at: now,
                        acted_by: acting.as_ref().map(|a| a.id),
                        acted_by_name: acting.as_ref().map(|a| a.name.clone()),
                    },
                )?;
                let agency = Agency::find(c, application.agency_id)?;
                // The receiving agency gets its pseudonym for the citizen, to answer the application by.
                if let Some(agency) = &agency {
                    crate::services::agencies::enrol(c, &[(agency, application.citizen_id)])?;
                }
                LinkageRecord::append(
                    c,
                    NewLinkage {
                        citizen_id: application.citizen_id,
                        at: now,
                        requester_kind: "agency".to_owned(),
                        requester_id: agency.as_ref().map(|a| a.code.clone()).unwrap_or_default(),
                        requester_name: agency.map(|a| a.name_ja).unwrap_or_default(),
                        providers,
                        items,
                        task_code: format!("application:{form_key}"),
                        purpose: format!("{title}（{number}）"),
                        result: "provided".to_owned(),
                        withheld: false,
                    },
                )?;
                confirmation_mail(c, &application, &number, now)?;
                Ok(true)
            })
        })
        .await?;
    if !done {
        return Ok(Submitted::AlreadySent);
    }
    // A file in a field hidden by the answers was not sent, and nothing names it any more.
    let unsent = attachments::keys(&opened.answers)
        .into_iter()
        .filter(|key| !sent_files.contains(key));
    state.files.forget(unsent).await;
    Ok(Submitted::Sent(receipt))
}

/// Deletes one of the citizen's drafts (never a sent application), then the files attached to it; false
/// when there was no such draft.
pub async fn delete_draft(
    state: &AppState,
    citizen: CitizenId,
    id: ApplicationId,
) -> Result<bool, AppError> {
    let Some(opened) = open(state, citizen, id).await? else {
        return Ok(false);
    };
    let deleted = state
        .db
        .run(move |c| Application::delete_draft(c, citizen, id))
        .await?;
    if deleted {
        state.files.forget(attachments::keys(&opened.answers)).await;
    }
    Ok(deleted)
}

/// Queues the mail confirming the sending, in the outbox's transaction with the sending itself, when the
/// citizen has a confirmed address (alert categories do not apply: this is a receipt, not a notice).
fn confirmation_mail(
    c: &mut portal_storage::AnyConnection,
    application: &Application,
    receipt: &str,
    at: i64,
) -> Result<(), StorageError> {
    let Some(address) = EmailAddress::find_by_citizen(c, application.citizen_id)? else {
        return Ok(());
    };
    let lang = Citizen::find(c, application.citizen_id)?
        .map(|p| p.lang)
        .unwrap_or_else(|| "ja".to_owned());
    let (date, time) = crate::services::history::japan_time(at);
    let mut mail = OutboxMail::queued(
        purpose::APPLICATION_SENT,
        format!("application_sent:{}:{at}", application.id),
        address.address,
        lang,
        serde_json::json!({
            "receipt": receipt, "application": application.id.to_string(), "date": date, "time": time,
        })
        .to_string(),
        at,
    );
    mail.citizen_id = Some(application.citizen_id);
    OutboxMail::enqueue(c, &[mail])?;
    Ok(())
}

/// Why a citizen's message was not sent: its catalog key.
pub fn check_message(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Err("application.message.errors.empty")
    } else if text.chars().count() > portal_web::pages::apply::MESSAGE_MAX_CHARS {
        Err("application.message.errors.too_long")
    } else {
        Ok(text.to_owned())
    }
}

/// Whether the citizen may write to the agency about it: sent and not withdrawn.
pub fn can_message(opened: &Opened) -> bool {
    !matches!(
        opened.status(),
        ApplicationStatus::Draft | ApplicationStatus::Withdrawn
    )
}

/// The citizen writes to the agency: the message joins the history the agency reads (`application(id)`).
pub async fn send_message(
    state: &AppState,
    opened: &Opened,
    text: &str,
    acting: Option<&ActingProxy>,
) -> Result<Result<(), &'static str>, AppError> {
    let acting = acting.cloned();
    let body = match check_message(text) {
        Ok(body) => body,
        Err(key) => return Ok(Err(key)),
    };
    if !can_message(opened) {
        return Ok(Err("application.message.errors.closed"));
    }
    let id = opened.application.id;
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
                    actor: "citizen".to_owned(),
                    body: Some(body),
                    at: now_millis(),
                    acted_by: acting.as_ref().map(|a| a.id),
                    acted_by_name: acting.as_ref().map(|a| a.name.clone()),
                },
            )
        })
        .await?;
    Ok(Ok(()))
}

/// The statuses an application can be withdrawn from: before the agency processes it.
pub const WITHDRAWABLE: [&str; 2] = ["sent", "received"];

/// Withdraws (取下げ) a sent application the agency has not started on; false when it is too late (or was
/// never sent). The agency sees the withdrawal in the application's history.
pub async fn withdraw(
    state: &AppState,
    opened: &Opened,
    acting: Option<&ActingProxy>,
) -> Result<bool, AppError> {
    let acting = acting.cloned();
    if !WITHDRAWABLE.contains(&opened.application.status.as_str()) {
        return Ok(false);
    }
    let id = opened.application.id;
    let now = now_millis();
    Ok(state
        .db
        .run(move |c| {
            transaction(c, |c| {
                if !Application::set_status(
                    c,
                    id,
                    &WITHDRAWABLE,
                    ApplicationStatus::Withdrawn,
                    None,
                    now,
                )? {
                    return Ok(false);
                }
                ApplicationEvent::insert(
                    c,
                    &ApplicationEvent {
                        id: ApplicationEventId::new(),
                        application_id: id,
                        kind: "status".to_owned(),
                        status: Some(ApplicationStatus::Withdrawn.code().to_owned()),
                        actor: "citizen".to_owned(),
                        body: None,
                        at: now,
                        acted_by: acting.as_ref().map(|a| a.id),
                        acted_by_name: acting.as_ref().map(|a| a.name.clone()),
                    },
                )?;
                Ok(true)
            })
        })
        .await?)
}

/// One page of the citizen's applications, most recently changed first, and how many there are.
pub async fn list(
    state: &AppState,
    citizen: CitizenId,
    page: usize,
) -> Result<(Vec<ApplicationListed>, i64), AppError> {
    let offset = i64::try_from(page.saturating_sub(1)).unwrap_or(0) * PAGE_SIZE;
    Ok(state
        .db
        .run(move |c| {
            Ok((
                Application::list_for(c, citizen, PAGE_SIZE, offset)?,
                Application::count_for(c, citizen)?,
            ))
        })
        .await?)
}

/// The signature covering the application's answers as stored, if it was sent signed.
pub async fn signature(
    state: &AppState,
    opened: &Opened,
) -> Result<Option<ApplicationSignature>, AppError> {
    let digest = crate::services::application_signing::digest_hex(
        opened.application.id,
        &opened.form.form_key,
        opened.form.version,
        &opened.answers,
    )?;
    let id = opened.application.id;
    let all = state
        .db
        .run(move |c| ApplicationSignature::of(c, id))
        .await?;
    Ok(crate::services::application_signing::current(&all, &digest).cloned())
}

/// An application's history, oldest first.
pub async fn events(
    state: &AppState,
    id: ApplicationId,
) -> Result<Vec<ApplicationEvent>, AppError> {
    Ok(state.db.run(move |c| ApplicationEvent::of(c, id)).await?)
}
