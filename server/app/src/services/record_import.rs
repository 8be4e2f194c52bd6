//! 情報の登録 from a CSV file in the staff console: the file is read and every row checked by the rules of
//! [`records::publish`] without storing anything; the good rows wait in a job in preview, and once a member
//! starts it a background worker publishes them in chunks, saving its progress after each.
//!
//! The file: UTF-8 (a byte order mark is skipped), RFC 4180, a header row `citizen,record_id,updated_on`
//! and the category's field keys in any order (an optional field's column may be left out; an empty cell
//! of an optional field means the record has none). `citizen` is the agency's pseudonym for the citizen.
//!
//! A worker that stops mid-way loses nothing: its lease runs out, another claims the job and carries on
//! from the chunk after the last one saved (publishing is idempotent per record id, so a chunk done twice
//! is harmless; its records are then counted as updated).

use std::time::Duration;

use portal_storage::ids::StaffJobId;
use portal_storage::models::agency::Agency;
use portal_storage::models::category::Category;
use portal_storage::models::staff::{StaffJob, StaffMember, job_state};
use portal_storage::now_millis;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::AppError;
use crate::services::csv::{self, ReadError};
use crate::services::records::{self, Incoming};
use crate::services::staff::{self, OnDuty};
use crate::state::AppState;

/// The kind of job an import is.
pub const KIND: &str = "records_import";
/// Most data rows one file may have.
pub const MAX_ROWS: usize = 100_000;
/// The largest file taken (100,000 rows of a few hundred bytes).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Rows published per call, with progress saved after each.
pub const CHUNK: usize = 500;
/// Good rows shown on the preview.
pub const PREVIEW_ROWS: usize = 20;
/// How long a worker holds a job between saves; after that another may take it over.
const LEASE: Duration = Duration::from_secs(30);
/// The columns every file has, before the category's fields.
pub const FIXED_COLUMNS: [&str; 3] = ["citizen", "record_id", "updated_on"];

/// Why a file cannot be imported at all (as opposed to some of its rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// No file chosen, or an empty one.
    Empty,
    /// Not UTF-8 text (Shift_JIS, a spreadsheet's own format, an image…).
    NotText,
    Unreadable(ReadError),
    /// Only the header row.
    NoRows,
    TooLarge,
    MissingColumns(Vec<String>),
    UnknownColumns(Vec<String>),
    RepeatedColumn(String),
}

impl FileProblem {
    /// The message's catalog key under `staff.records.errors`, and its one value (`{value}`), if any.
    pub fn message(&self) -> (&'static str, String) {
        match self {
            FileProblem::Empty => ("empty", String::new()),
            FileProblem::NotText => ("not_text", String::new()),
            FileProblem::Unreadable(ReadError::UnclosedQuote { line }) => {
                ("unclosed_quote", line.to_string())
            }
            FileProblem::Unreadable(ReadError::StrayQuote { line }) => {
                ("stray_quote", line.to_string())
            }
            FileProblem::Unreadable(ReadError::TooManyRecords) => {
                ("too_many_rows", MAX_ROWS.to_string())
            }
            FileProblem::NoRows => ("no_rows", String::new()),
            FileProblem::TooLarge => ("too_large", (MAX_FILE_BYTES / 1024 / 1024).to_string()),
            FileProblem::MissingColumns(columns) => ("missing_columns", columns.join(", ")),
            FileProblem::UnknownColumns(columns) => ("unknown_columns", columns.join(", ")),
            FileProblem::RepeatedColumn(column) => ("repeated_column", column.clone()),
        }
    }
}

/// A row that passed the checks, as the job keeps it to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub citizen: String,
    pub record_id: String,
    pub updated_on: String,
    /// Field key to value; empty optional cells left out.
    pub fields: Map<String, Value>,
}

/// A row refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    pub line: usize,
    pub record_id: String,
    /// The column at fault; empty when it is the row as a whole.
    pub column: String,
    /// What kind of problem (see [`records::Rejected::code`]; `cells` for a row of the wrong width), for
    /// words in the page's language.
    #[serde(default)]
    pub code: String,
    pub reason: String,
}

/// What an import works through.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Payload {
    pub category: String,
    pub file_name: String,
    pub rows: Vec<GoodRow>,
}

/// What an import came to: the rows refused by the check, and once published the counts and any rows
/// refused then (a pseudonym that ended in between, say).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    #[serde(default)]
    pub rejected: Vec<BadRow>,
    #[serde(default)]
    pub created: usize,
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub rejected_at_publish: Vec<BadRow>,
    /// Why the job failed, when it did.
    #[serde(default)]
    pub failure: Option<String>,
}

/// The CSV column a field of the publish rules is read from.
fn column_of(field: Option<&str>) -> String {
    match field {
        Some("recordId") => "record_id".to_owned(),
        Some("updatedOn") => "updated_on".to_owned(),
        Some(field) => field.strip_prefix("fields.").unwrap_or(field).to_owned(),
        None => String::new(),
    }
}

/// The file's rows: each either an item to check (with its line) or refused already.
type Parsed = Vec<Result<(usize, Incoming), BadRow>>;

/// Reads the file for `category`: its header and rows, or why the file as a whole cannot be used.
pub fn read_file(category: Category, bytes: &[u8]) -> Result<Parsed, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| FileProblem::NotText)?;
    if text.contains('\0') {
        return Err(FileProblem::NotText);
    }
    let mut records = csv::read(text, MAX_ROWS + 1)
        .map_err(FileProblem::Unreadable)?
        .into_iter();
    let Some((_, header)) = records.next() else {
        return Err(FileProblem::Empty);
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    check_header(category, &header)?;
    let rows: Parsed = records
        .map(|(line, cells)| row(category, &header, line, cells))
        .collect();
    if rows.is_empty() {
        return Err(FileProblem::NoRows);
    }
    Ok(rows)
}

fn check_header(category: Category, header: &[String]) -> Result<(), FileProblem> {
    let known = |name: &str| {
        FIXED_COLUMNS.contains(&name) || category.fields().iter().any(|f| f.key == name)
    };
    let unknown: Vec<String> = header.iter().filter(|h| !known(h)).cloned().collect();
    if !unknown.is_empty() {
        return Err(FileProblem::UnknownColumns(unknown));
    }
    let required = FIXED_COLUMNS.iter().copied().chain(
        category
            .fields()
            .iter()
            .filter(|f| f.required)
            .map(|f| f.key),
    );
    let missing: Vec<String> = required
        .filter(|name| !header.iter().any(|h| h == name))
        .map(str::to_owned)
        .collect();
    if !missing.is_empty() {
        return Err(FileProblem::MissingColumns(missing));
    }
    for (i, name) in header.iter().enumerate() {
        if header.iter().skip(i + 1).any(|other| other == name) {
            return Err(FileProblem::RepeatedColumn(name.clone()));
        }
    }
    Ok(())
}

/// One data row as an item to publish, or refused when its cells do not match the header.
fn row(
    category: Category,
    header: &[String],
    line: usize,
    cells: Vec<String>,
) -> Result<(usize, Incoming), BadRow> {
    let cell = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .and_then(|i| cells.get(i))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let record_id = cell("record_id");
    if cells.len() != header.len() {
        return Err(BadRow {
            line,
            record_id,
            column: String::new(),
            code: "cells".to_owned(),
            reason: format!(
                "has {} cells; the header row has {}",
                cells.len(),
                header.len()
            ),
        });
    }
    let mut fields = Map::new();
    for (name, value) in header.iter().zip(&cells) {
        if FIXED_COLUMNS.contains(&name.as_str()) || value.trim().is_empty() {
            continue;
        }
        fields.insert(name.clone(), Value::String(value.trim().to_owned()));
    }
    Ok((
        line,
        Incoming {
            citizen: cell("citizen"),
            category: category.code().to_owned(),
            record_id,
            updated_on: cell("updated_on"),
            fields: Value::Object(fields),
        },
    ))
}

/// Reads and checks a file; stores a job in preview holding the good rows, and returns its id, or why the
/// file cannot be used.
pub async fn prepare(
    state: &AppState,
    on_duty: &OnDuty,
    category: Category,
    file_name: &str,
    bytes: &[u8],
) -> Result<Result<StaffJobId, FileProblem>, AppError> {
    let parsed = match read_file(category, bytes) {
        Ok(parsed) => parsed,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut rejected = Vec::new();
    let mut items = Vec::new();
    let mut lines = Vec::new();
    for row in parsed {
        match row {
            Ok((line, item)) => {
                lines.push(line);
                items.push(item);
            }
            Err(bad) => rejected.push(bad),
        }
    }
    let checked = records::check(state, &on_duty.principal(), &items).await?;
    for refusal in checked.rejected {
        rejected.push(BadRow {
            line: lines.get(refusal.index).copied().unwrap_or_default(),
            record_id: refusal.record_id,
            column: column_of(refusal.field.as_deref()),
            code: refusal.code.to_owned(),
            reason: refusal.reason,
        });
    }
    rejected.sort_by_key(|bad| bad.line);
    let rows: Vec<GoodRow> = checked
        .accepted
        .into_iter()
        .filter_map(|(index, _)| {
            let item = items.get(index)?;
            let Value::Object(fields) = &item.fields else {
                return None;
            };
            Some(GoodRow {
                line: lines.get(index).copied().unwrap_or_default(),
                citizen: item.citizen.clone(),
                record_id: item.record_id.clone(),
                updated_on: item.updated_on.clone(),
                fields: fields.clone(),
            })
        })
        .collect();
    let detail = format!("{} good, {} refused", rows.len(), rejected.len());
    let job = StaffJob {
        id: StaffJobId::new(),
        agency_id: on_duty.agency.id,
        staff_id: on_duty.member.id,
        kind: KIND.to_owned(),
        state: job_state::PREVIEW.to_owned(),
        total: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        done: 0,
        payload: to_json(&Payload {
            category: category.code().to_owned(),
            file_name: file_name.to_owned(),
            rows,
        })?,
        result: Some(to_json(&Outcome {
            rejected,
            ..Outcome::default()
        })?),
        lease_until: 0,
        created_at: now_millis(),
        finished_at: None,
    };
    let id = job.id;
    state.db.run(move |c| StaffJob::insert(c, &job)).await?;
    staff::audit(
        state,
        &on_duty.member,
        "records.import_check",
        &id.to_string(),
        &format!("{file_name}: {detail}"),
    )
    .await?;
    Ok(Ok(id))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The payload and outcome of a job of this kind (empty when unreadable, which no job written here is).
pub fn contents(job: &StaffJob) -> (Payload, Outcome) {
    let payload = serde_json::from_str(&job.payload).unwrap_or_default();
    let outcome = job
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    (payload, outcome)
}

/// Queues a job in preview for the worker; false when it was not in preview any more.
pub async fn start(state: &AppState, on_duty: &OnDuty, id: StaffJobId) -> Result<bool, AppError> {
    let agency = on_duty.agency.id;
    let queued = state
        .db
        .run(move |c| StaffJob::queue(c, agency, id))
        .await?;
    if queued {
        staff::audit(
            state,
            &on_duty.member,
            "records.import_start",
            &id.to_string(),
            "",
        )
        .await?;
    }
    Ok(queued)
}

/// Deletes a job in preview with its rows; false when it was not in preview any more.
pub async fn discard(state: &AppState, on_duty: &OnDuty, id: StaffJobId) -> Result<bool, AppError> {
    let agency = on_duty.agency.id;
    let gone = state
        .db
        .run(move |c| StaffJob::discard(c, agency, id))
        .await?;
    if gone {
        staff::audit(
            state,
            &on_duty.member,
            "records.import_discard",
            &id.to_string(),
            "",
        )
        .await?;
    }
    Ok(gone)
}

fn lease_from(now: i64) -> i64 {
    now + i64::try_from(LEASE.as_millis()).unwrap_or(30_000)
}

/// Claims one import that is queued (or whose worker stopped) and works it to its end; false when there
/// was none. Any number of processes may run this.
pub async fn work_once(state: &AppState) -> Result<bool, AppError> {
    let now = now_millis();
    let Some(job) = state
        .db
        .run(move |c| StaffJob::claim_kind(c, KIND, now, lease_from(now)))
        .await?
    else {
        return Ok(false);
    };
    let id = job.id;
    let (agency_id, staff_id) = (job.agency_id, job.staff_id);
    let found = state
        .db
        .run(move |c| Ok((Agency::find(c, agency_id)?, StaffMember::find(c, staff_id)?)))
        .await?;
    let (Some(agency), Some(member)) = found else {
        let (_, mut outcome) = contents(&job);
        outcome.failure = Some("the agency or member of staff is gone".to_owned());
        finish(state, id, job_state::FAILED, job.done, &outcome).await?;
        return Ok(true);
    };
    let on_duty = OnDuty { member, agency };
    publish_rows(state, &on_duty, job).await?;
    Ok(true)
}

/// Publishes the job's rows from where it got to, chunk by chunk, then finishes it.
async fn publish_rows(state: &AppState, on_duty: &OnDuty, job: StaffJob) -> Result<(), AppError> {
    let (payload, mut outcome) = contents(&job);
    let principal = on_duty.principal();
    let total = payload.rows.len();
    let mut done = usize::try_from(job.done).unwrap_or(0).min(total);
    while done < total {
        let end = (done + CHUNK).min(total);
        let chunk = payload.rows.get(done..end).unwrap_or_default();
        let items = chunk
            .iter()
            .map(|row| Incoming {
                citizen: row.citizen.clone(),
                category: payload.category.clone(),
                record_id: row.record_id.clone(),
                updated_on: row.updated_on.clone(),
                fields: Value::Object(row.fields.clone()),
            })
            .collect();
        let published = records::publish(state, &principal, items).await?;
        outcome.created += published.created;
        outcome.updated += published.updated;
        for refusal in published.rejected {
            outcome.rejected_at_publish.push(BadRow {
                line: chunk.get(refusal.index).map_or(0, |row| row.line),
                record_id: refusal.record_id,
                column: column_of(refusal.field.as_deref()),
                code: refusal.code.to_owned(),
                reason: refusal.reason,
            });
        }
        done = end;
        let (id, result) = (job.id, to_json(&outcome)?);
        let done_now = i64::try_from(done).unwrap_or(i64::MAX);
        let lease = lease_from(now_millis());
        state
            .db
            .run(move |c| StaffJob::progress_with(c, id, done_now, &result, lease))
            .await?;
    }
    let done = i64::try_from(done).unwrap_or(i64::MAX);
    finish(state, job.id, job_state::DONE, done, &outcome).await?;
    staff::audit(
        state,
        &on_duty.member,
        "records.import_done",
        &job.id.to_string(),
        &format!(
            "created {}, updated {}, refused {}",
            outcome.created,
            outcome.updated,
            outcome.rejected_at_publish.len()
        ),
    )
    .await
}

async fn finish(
    state: &AppState,
    id: StaffJobId,
    end: &'static str,
    done: i64,
    outcome: &Outcome,
) -> Result<(), AppError> {
    let result = to_json(outcome)?;
    let at = now_millis();
    state
        .db
        .run(move |c| StaffJob::finish(c, id, end, done, &result, at))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked_for_the_category() {
        let ok = read_file(
            Category::Welfare,
            "\u{feff}status,citizen,program,record_id,updated_on,granted_on\r\np,r1,生活保護,x,2026-01-01,2026-01-01\r\n"
                .as_bytes(),
        )
        .expect("readable");
        let Some(Ok((line, item))) = ok.first() else {
            panic!("one row: {ok:?}");
        };
        assert_eq!(*line, 2);
        assert_eq!(item.citizen, "r1");
        assert_eq!(item.fields["status"], "p");
        assert_eq!(
            read_file(Category::Welfare, b"citizen,record_id,updated_on,program\n"),
            Err(FileProblem::MissingColumns(vec![
                "status".into(),
                "granted_on".into()
            ]))
        );
        assert!(matches!(
            read_file(Category::Welfare, b"citizen,record_id,updated_on,program,status,granted_on,shoe\n"),
            Err(FileProblem::UnknownColumns(c)) if c == ["shoe"]
        ));
        assert_eq!(
            read_file(
                Category::Welfare,
                b"citizen,record_id,updated_on,program,status,granted_on\n"
            ),
            Err(FileProblem::NoRows)
        );
        assert_eq!(
            read_file(Category::Welfare, &[0xff, 0xfe, 0x00]),
            Err(FileProblem::NotText)
        );
        assert_eq!(read_file(Category::Welfare, b""), Err(FileProblem::Empty));
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused_alone() {
        let rows = read_file(
            Category::Welfare,
            b"citizen,record_id,updated_on,program,status,granted_on\na,b,2026-01-01\n",
        )
        .expect("readable");
        let Some(Err(bad)) = rows.first() else {
            panic!("refused: {rows:?}");
        };
        assert_eq!((bad.line, bad.record_id.as_str()), (2, "b"));
        assert!(bad.reason.contains("3 cells"), "{}", bad.reason);
    }
}
