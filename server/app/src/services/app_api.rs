//! What private apps read through GraphQL with a citizen's consent: the citizen's records by category, a
//! page at a time, each read written to the citizen's やりとり履歴 naming the app and its purpose.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_storage::ids::RecordId;
use portal_storage::models::category::Category;
use portal_storage::models::inbox::{self, Addressee, InboxFilter, InboxItem};
use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::models::record::{Record, SourcedRecord};
use portal_storage::{Db, now_millis};

use crate::error::AppError;
use crate::services::oauth::AppPrincipal;
use crate::state::AppState;

/// The largest page an app may ask for.
pub const MAX_PAGE: i64 = 100;
pub const DEFAULT_PAGE: i64 = 20;
/// How many queued reads one fold appends at most.
const FOLD_BATCH: i64 = 1_000;

/// One page of a category.
#[derive(Debug, Clone)]
pub struct RecordsPage {
    /// All records matching the date range, on every page.
    pub total: i64,
    pub records: Vec<SourcedRecord>,
    pub has_next: bool,
}

/// A record's place in the order (newest update first), as an opaque cursor.
pub fn cursor(record: &SourcedRecord) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", record.record.updated_on, record.record.id))
}

fn parse_cursor(cursor: &str) -> Option<(String, RecordId)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (on, id) = text.split_once('|')?;
    let id = id.parse::<uuid::Uuid>().ok()?;
    is_date(on).then(|| (on.to_owned(), RecordId(id)))
}

fn is_date(s: &str) -> bool {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// What an app asked for, checked.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Reads a page of `category` for the app (the page with its count in one statement) and answers once the
/// read's history row is committed (a write it shares with the reads arriving with it).
pub async fn records(
    state: &AppState,
    principal: &AppPrincipal,
    category: Category,
    request: PageRequest,
) -> Result<RecordsPage, AppError> {
    let first = i64::from(request.first.unwrap_or(DEFAULT_PAGE as i32));
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(AppError::BadRequest(format!(
            "first must be from 1 to {MAX_PAGE}"
        )));
    }
    for (name, value) in [("from", &request.from), ("to", &request.to)] {
        if let Some(value) = value
            && !is_date(value)
        {
            return Err(AppError::BadRequest(format!(
                "{name} must be a date YYYY-MM-DD"
            )));
        }
    }
    let after = match &request.after {
        Some(raw) => Some(
            parse_cursor(raw)
                .ok_or_else(|| AppError::BadRequest("after is not a cursor of this list".into()))?,
        ),
        None => None,
    };
    let citizen = principal.citizen_id;
    let (total, mut records) = state
        .db
        .run(move |c| {
            Record::keyset_page(
                c,
                citizen,
                category.code(),
                request.from.as_deref(),
                request.to.as_deref(),
                after.as_ref().map(|(on, id)| (on.as_str(), *id)),
                first + 1,
            )
        })
        .await?;
    let shown = records.iter().take(usize::try_from(first).unwrap_or(0));
    let read = history_row(
        principal,
        category.code(),
        shown.map(|r| r.agency_code.as_str()),
    );
    state.history.push(read).await?;
    let has_next = records.len() > usize::try_from(first).unwrap_or(0);
    records.truncate(usize::try_from(first).unwrap_or(0));
    Ok(RecordsPage {
        total,
        records,
        has_next,
    })
}

/// One page of the citizen's notices (their inbox, not the archive), newest first.
#[derive(Debug, Clone)]
pub struct NoticesPage {
    pub total: i64,
    /// Each with its cursor.
    pub items: Vec<(String, InboxItem)>,
    pub has_next: bool,
}

fn offset_cursor(offset: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("notice|{offset}"))
}

fn parse_offset_cursor(cursor: &str) -> Option<i64> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    text.strip_prefix("notice|")?
        .parse()
        .ok()
        .filter(|n| *n >= 0)
}

/// Reads a page of the citizen's notices for the app (scope `notices_read`): reading them through an app
/// marks nothing read. The read is queued for やりとり履歴 like any other.
pub async fn notices(
    state: &AppState,
    principal: &AppPrincipal,
    first: Option<i32>,
    after: Option<String>,
) -> Result<NoticesPage, AppError> {
    let first = i64::from(first.unwrap_or(DEFAULT_PAGE as i32));
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(AppError::BadRequest(format!(
            "first must be from 1 to {MAX_PAGE}"
        )));
    }
    let offset = match &after {
        Some(raw) => parse_offset_cursor(raw)
            .ok_or_else(|| AppError::BadRequest("after is not a cursor of this list".into()))?,
        None => 0,
    };
    let citizen = principal.citizen_id;
    let now = now_millis();
    let found = state
        .db
        .run(move |c| {
            let Some(addressee) = Addressee::load(c, citizen)? else {
                return Ok(None);
            };
            inbox::page(
                c,
                &addressee,
                &InboxFilter::default(),
                now,
                first + 1,
                offset,
            )
            .map(Some)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let shown = found.items.iter().take(usize::try_from(first).unwrap_or(0));
    let read = history_row(
        principal,
        "notices",
        shown.map(|item| item.agency_code.as_str()),
    );
    state.history.push(read).await?;
    let has_next = found.items.len() > usize::try_from(first).unwrap_or(0);
    let items = found
        .items
        .into_iter()
        .take(usize::try_from(first).unwrap_or(0))
        .enumerate()
        .map(|(i, item)| (offset_cursor(offset + i as i64 + 1), item))
        .collect();
    Ok(NoticesPage {
        total: found.total,
        items,
        has_next,
    })
}

/// The history row of an app's read of `item` that answered with data from `providers`.
fn history_row<'a>(
    principal: &AppPrincipal,
    item: &str,
    providers: impl Iterator<Item = &'a str>,
) -> NewLinkage {
    crate::services::history::read_row(
        principal.citizen_id,
        crate::services::history::Reader {
            kind: "app",
            id: principal.client_id.clone(),
            name: format!("{}（{}）", principal.app_name, principal.operator),
            purpose: principal.purpose.clone(),
        },
        item,
        providers,
    )
}

/// Counts an API call against the app's limit per minute; `Some(seconds)` to wait when over it.
pub async fn over_limit(
    state: &AppState,
    principal: &AppPrincipal,
) -> Result<Option<u64>, AppError> {
    let window = Duration::from_secs(60);
    let count = state
        .kv
        .incr(&format!("rl:app:{}", principal.client_id), window)
        .await?;
    Ok((count > state.config.app_requests_per_minute).then_some(window.as_secs()))
}

/// Appends queued API reads to the history chains until the queue is empty.
pub async fn fold_history(db: &Db) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        let folded = db.run(|c| LinkageRecord::fold_queue(c, FOLD_BATCH)).await?;
        total += folded;
        if folded < usize::try_from(FOLD_BATCH).unwrap_or(usize::MAX) {
            return Ok(total);
        }
    }
}
