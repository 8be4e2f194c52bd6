//! Agencies publishing records about citizens, and reading them for a task (事務) — every read written to
//! the citizen's やりとり履歴.

use std::collections::{BTreeSet, HashMap, HashSet};

use portal_storage::ids::{CitizenId, RecordId};
use portal_storage::models::agency::AgencyPseudonym;
use portal_storage::models::category::{Category, is_date};
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::record::{Record, SourcedRecord, Upserted};
use portal_storage::models::task;
use portal_storage::now_millis;

use crate::error::AppError;
use crate::services::agencies::{self, AgencyPrincipal};
use crate::state::AppState;

/// Most records one publish call may carry.
pub const MAX_BATCH: usize = 1000;
/// Most records one read returns.
pub const MAX_READ: i64 = 500;

/// One record as an agency sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The publishing agency's pseudonym for the citizen.
    pub citizen: String,
    pub category: String,
    /// The agency's own id for the record: sending it again updates the record.
    pub record_id: String,
    pub updated_on: String,
    pub fields: serde_json::Value,
}

/// A record the publish refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Position in the batch, from 0.
    pub index: usize,
    pub record_id: String,
    pub field: Option<String>,
    /// What kind of problem, for words in other languages: `record_id`, `repeated`, `citizen`,
    /// `category`, `updated_on`, or a [`portal_storage::models::category::FieldError`]'s code.
    pub code: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Published {
    pub created: usize,
    pub updated: usize,
    pub rejected: Vec<Rejected>,
}

/// A batch checked by the rules of [`publish`] without storing anything: the records the good items
/// become, each with its position in the batch, and the items refused with why.
#[derive(Debug, Clone, Default)]
pub struct DryRun {
    pub accepted: Vec<(usize, Record)>,
    pub rejected: Vec<Rejected>,
}

/// Publishes a batch. Good items are stored and bad ones reported with their index and reason: an agency's
/// nightly batch should not be held back by one malformed record, and the report says exactly what to fix
/// and resend (resending is safe, since the agency's record id makes it an update).
pub async fn publish(
    state: &AppState,
    agency: &AgencyPrincipal,
    items: Vec<Incoming>,
) -> Result<Published, AppError> {
    if items.len() > MAX_BATCH {
        return Err(AppError::BadRequest(format!(
            "a batch holds at most {MAX_BATCH} records; this one has {}",
            items.len()
        )));
    }
    let DryRun { accepted, rejected } = check(state, agency, &items).await?;
    let rows: Vec<Record> = accepted.into_iter().map(|(_, row)| row).collect();
    let agency_id = agency.agency_id;
    let Upserted { created, updated } = state
        .db
        .run(move |c| Record::upsert_batch(c, agency_id, &rows))
        .await?;
    Ok(Published {
        created,
        updated,
        rejected,
    })
}

/// Pseudonyms looked up this many at a time, well within every backend's limit of bound parameters.
const RESOLVE_CHUNK: usize = 1000;

/// Checks every item of a batch of any size by the rules of [`publish`], storing nothing (a dry run, such
/// as the console's preview of a file). A record id seen twice is refused the second time.
pub async fn check(
    state: &AppState,
    agency: &AgencyPrincipal,
    items: &[Incoming],
) -> Result<DryRun, AppError> {
    let pseudonyms: Vec<String> = items
        .iter()
        .map(|i| i.citizen.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let agency_id = agency.agency_id;
    let mut known: HashMap<String, CitizenId> = HashMap::new();
    for chunk in pseudonyms.chunks(RESOLVE_CHUNK) {
        let chunk = chunk.to_vec();
        known.extend(
            state
                .db
                .run(move |c| AgencyPseudonym::resolve(c, agency_id, &chunk))
                .await?,
        );
    }

    let mut checked = DryRun::default();
    let mut seen = HashSet::new();
    let now = now_millis();
    for (index, item) in items.iter().enumerate() {
        match check_item(item, &known, &mut seen) {
            Ok((citizen, category, fields)) => checked.accepted.push((
                index,
                Record {
                    id: RecordId::new(),
                    citizen_id: citizen,
                    agency_id,
                    category: category.code().to_owned(),
                    external_id: item.record_id.trim().to_owned(),
                    data: serde_json::Value::Object(fields).to_string(),
                    updated_on: item.updated_on.clone(),
                    published_at: now,
                },
            )),
            Err((field, code, reason)) => checked.rejected.push(Rejected {
                index,
                record_id: item.record_id.clone(),
                field: Some(field),
                code,
                reason,
            }),
        }
    }
    Ok(checked)
}

type ItemChecked = Result<
    (
        CitizenId,
        Category,
        serde_json::Map<String, serde_json::Value>,
    ),
    (String, &'static str, String),
>;

/// The rules for one item: the citizen, category and clean fields, or the field at fault, the kind of
/// problem and why.
fn check_item(
    item: &Incoming,
    known: &HashMap<String, CitizenId>,
    seen: &mut HashSet<String>,
) -> ItemChecked {
    let reject =
        |field: &str, code: &'static str, reason: String| Err((field.to_owned(), code, reason));
    let record_id = item.record_id.trim();
    if record_id.is_empty() || record_id.len() > 100 {
        return reject(
            "recordId",
            "record_id",
            "must be 1 to 100 characters".to_owned(),
        );
    }
    if !seen.insert(record_id.to_owned()) {
        return reject(
            "recordId",
            "repeated",
            "appears earlier in this batch; send each record once".to_owned(),
        );
    }
    let Some(&citizen) = known.get(&item.citizen) else {
        return reject(
            "citizen",
            "citizen",
            "is not a pseudonym your agency holds for any citizen".to_owned(),
        );
    };
    let Some(category) = Category::from_code(&item.category) else {
        return reject(
            "category",
            "category",
            format!(
                "{:?} is not a category; expected one of {}",
                item.category,
                category_codes()
            ),
        );
    };
    if !is_date(&item.updated_on) {
        return reject(
            "updatedOn",
            "updated_on",
            format!(
                "must be a date written YYYY-MM-DD, got {:?}",
                item.updated_on
            ),
        );
    }
    match category.validate(&item.fields) {
        Ok(fields) => Ok((citizen, category, fields)),
        Err(e) => {
            let field = match &e.field {
                Some(key) => format!("fields.{key}"),
                None => "fields".to_owned(),
            };
            reject(&field, e.code, e.to_string())
        }
    }
}

fn category_codes() -> String {
    Category::ALL
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why an agency's read was refused. Each is recorded in the citizen's history when the citizen is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRefusal {
    NoTask,
    UnknownTask(String),
    NotYourTask(String),
    CategoryOutsideTask(String),
    UnknownCategory(String),
}

impl std::fmt::Display for ReadRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadRefusal::NoTask => f.write_str(
                "state the task (事務) you read for: every read is recorded for the citizen with its task",
            ),
            ReadRefusal::UnknownTask(t) => write!(f, "{t:?} is not a known task (事務)"),
            ReadRefusal::NotYourTask(t) => write!(f, "your agency does not perform the task {t:?}"),
            ReadRefusal::CategoryOutsideTask(c) => {
                write!(f, "the task does not allow reading category {c:?}")
            }
            ReadRefusal::UnknownCategory(c) => write!(f, "{c:?} is not a category"),
        }
    }
}

/// What an agency gets back from a read.
#[derive(Debug, Clone)]
pub struct ReadResult {
    pub records: Vec<SourcedRecord>,
    /// The history row the read wrote.
    pub linkage: LinkageRecord,
}

/// An agency reads a citizen's records for a task. Every outcome with a known citizen — records provided,
/// none found, or refused — writes one row of the citizen's やりとり履歴 before anything is returned.
pub async fn read(
    state: &AppState,
    agency: &AgencyPrincipal,
    pseudonym: &str,
    task_code: &str,
    categories: Option<Vec<String>>,
) -> Result<Result<ReadResult, ReadRefusal>, AppError> {
    let citizen = agencies::citizen_named(&state.db, agency.agency_id, pseudonym).await?;
    let task_code = task_code.trim().to_owned();
    let checked = check_read(agency, &task_code, categories);
    let principal = agency.clone();
    let outcome = state
        .db
        .run(move |c| {
            let (task, items) = match &checked {
                Ok(ok) => ok.clone(),
                Err((_, items)) => (None, items.clone()),
            };
            let item_refs: Vec<&str> = items.iter().map(String::as_str).collect();
            let records = match checked {
                Ok(_) => Record::for_categories(c, citizen, &item_refs, MAX_READ)?,
                Err(_) => Vec::new(),
            };
            let providers: BTreeSet<String> =
                records.iter().map(|r| r.agency_code.clone()).collect();
            let result = match (&checked, records.is_empty()) {
                (Err(_), _) => "refused",
                (Ok(_), true) => "no_data",
                (Ok(_), false) => "provided",
            };
            let linkage = LinkageRecord::append(
                c,
                NewLinkage {
                    citizen_id: citizen,
                    at: now_millis(),
                    requester_kind: "agency".to_owned(),
                    requester_id: principal.code.clone(),
                    requester_name: principal.name_ja.clone(),
                    providers: providers.into_iter().collect(),
                    items,
                    task_code: task_code.chars().take(64).collect(),
                    purpose: String::new(),
                    result: result.to_owned(),
                    withheld: task.is_some_and(|t: &task::Task| t.withheld),
                },
            )?;
            Ok(match checked {
                Ok(_) => Ok(ReadResult { records, linkage }),
                Err((refusal, _)) => Err(refusal),
            })
        })
        .await?;
    Ok(outcome)
}

type Checked = Result<(Option<&'static task::Task>, Vec<String>), (ReadRefusal, Vec<String>)>;

/// The task and categories of a read, or why it is refused (with the categories asked for, for the record).
fn check_read(
    agency: &AgencyPrincipal,
    task_code: &str,
    categories: Option<Vec<String>>,
) -> Checked {
    let asked = categories.clone().unwrap_or_default();
    if task_code.is_empty() {
        return Err((ReadRefusal::NoTask, asked));
    }
    let Some(task) = task::find(task_code) else {
        return Err((ReadRefusal::UnknownTask(task_code.to_owned()), asked));
    };
    if !agency
        .kind()
        .is_some_and(|k| task.performed_by.contains(&k))
    {
        return Err((ReadRefusal::NotYourTask(task_code.to_owned()), asked));
    }
    let items: Vec<String> = match categories {
        None => task
            .categories
            .iter()
            .map(|c| c.code().to_owned())
            .collect(),
        Some(list) => {
            for code in &list {
                match Category::from_code(code) {
                    None => return Err((ReadRefusal::UnknownCategory(code.clone()), asked)),
                    Some(c) if !task.categories.contains(&c) => {
                        return Err((ReadRefusal::CategoryOutsideTask(code.clone()), asked));
                    }
                    Some(_) => {}
                }
            }
            list.into_iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        }
    };
    Ok((Some(task), items))
}
