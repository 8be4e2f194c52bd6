//! やりとり履歴 for the citizen: pages of the history rows, the requesters for the filter, and everything a
//! filter matches for the CSV download. Queries use the `linkage_records_citizen_at` and
//! `linkage_records_citizen_requester` indexes; the agencies a page names are read in one more query, never
//! one per row.

use std::collections::{BTreeSet, HashMap};

use portal_storage::ids::CitizenId;
use portal_storage::models::agency::Agency;
use portal_storage::models::category::Category;
use portal_storage::models::linkage::{LinkageFilter, LinkageRecord, NewLinkage};
use portal_storage::models::task;
use portal_storage::{AnyConnection, StorageError};
use portal_web::Lang;
use portal_web::pages::history::{EntryText, HistoryEntry, PAGE_SIZE, Requester};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::error::AppError;
use crate::services::csv::Csv;
use crate::state::AppState;

/// Most rows one CSV download holds (the newest).
pub const DOWNLOAD_CAP: i64 = 10_000;

/// A checked filter: a period of whole days in Japan time, and optionally who asked and which category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// First day, inclusive.
    pub from: Option<Date>,
    /// Last day, inclusive.
    pub to: Option<Date>,
    pub requester: Option<String>,
    pub category: Option<Category>,
}

fn japan() -> UtcOffset {
    UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// Milliseconds since the epoch at 00:00 of `date` in Japan.
pub fn japan_midnight_millis(date: Date) -> i64 {
    let nanos = date
        .midnight()
        .assume_offset(japan())
        .unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

impl Filter {
    /// The storage filter: the period becomes [from 00:00, day after `to` 00:00) in Japan time.
    pub fn linkage(&self) -> LinkageFilter {
        LinkageFilter {
            from: self.from.map(japan_midnight_millis),
            until: self
                .to
                .map(|to| to.next_day().map_or(i64::MAX, japan_midnight_millis)),
            requester_id: self.requester.clone(),
            category: self.category.map(|c| c.code().to_owned()),
        }
    }
}

/// `at` (milliseconds) as a date `YYYY-MM-DD` and time `HH:MM` in Japan.
pub fn japan_time(at: i64) -> (String, String) {
    let Ok(when) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000) else {
        return (String::new(), String::new());
    };
    let when = when.to_offset(japan());
    (
        format!(
            "{:04}-{:02}-{:02}",
            when.year(),
            u8::from(when.month()),
            when.day()
        ),
        format!("{:02}:{:02}", when.hour(), when.minute()),
    )
}

fn agency_name(agency: &Agency, lang: Lang) -> String {
    match lang {
        Lang::En if !agency.name_en.is_empty() => agency.name_en.clone(),
        _ => agency.name_ja.clone(),
    }
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').filter(|s| !s.is_empty())
}

/// The agencies that `rows` name (as providers or as requesters), by code: one query.
fn agencies_of(
    conn: &mut AnyConnection,
    rows: &[LinkageRecord],
) -> Result<HashMap<String, Agency>, StorageError> {
    let codes: BTreeSet<String> = rows
        .iter()
        .filter(|r| !r.withheld)
        .flat_map(|r| {
            let requester = (r.requester_kind == "agency").then_some(r.requester_id.as_str());
            split(&r.providers).chain(requester)
        })
        .map(str::to_owned)
        .collect();
    let codes: Vec<String> = codes.into_iter().collect();
    Ok(Agency::by_codes(conn, &codes)?
        .into_iter()
        .map(|a| (a.code.clone(), a))
        .collect())
}

/// Who read a citizen's data, for their やりとり履歴: an app, or a proxy (代理人) acting for them.
#[derive(Debug, Clone)]
pub struct Reader {
    /// `app` or `proxy` (`history.requester_kind.*`).
    pub kind: &'static str,
    /// The app's client id, or the proxy's citizen id.
    pub id: String,
    /// As shown to the citizen.
    pub name: String,
    pub purpose: String,
}

/// The history row of a read of `item` (a category code) that answered with data from `providers` (agency
/// codes, repeats allowed): `no_data` when it answered nothing.
pub fn read_row<'a>(
    citizen: CitizenId,
    reader: Reader,
    item: &str,
    providers: impl Iterator<Item = &'a str>,
) -> NewLinkage {
    let mut distinct: Vec<String> = Vec::new();
    for code in providers {
        if !distinct.iter().any(|p| p == code) {
            distinct.push(code.to_owned());
        }
    }
    let result = if distinct.is_empty() {
        "no_data"
    } else {
        "provided"
    };
    NewLinkage {
        citizen_id: citizen,
        at: portal_storage::now_millis(),
        requester_kind: reader.kind.to_owned(),
        requester_id: reader.id,
        requester_name: reader.name,
        providers: distinct,
        items: vec![item.to_owned()],
        task_code: String::new(),
        purpose: reader.purpose,
        result: result.to_owned(),
        withheld: false,
    }
}

/// A row ready to show. A withheld row carries only its time: the details never reach the page or the CSV.
fn entry(row: &LinkageRecord, agencies: &HashMap<String, Agency>, lang: Lang) -> HistoryEntry {
    let (date, time) = japan_time(row.at);
    if row.withheld {
        return HistoryEntry {
            date,
            time,
            withheld: true,
            ..HistoryEntry::default()
        };
    }
    let requester = (row.requester_kind == "agency")
        .then(|| agencies.get(&row.requester_id))
        .flatten();
    let known_task = (row.requester_kind == "agency")
        .then(|| task::find(&row.task_code))
        .flatten();
    HistoryEntry {
        date,
        time,
        withheld: false,
        requester_name: requester
            .map_or_else(|| row.requester_name.clone(), |a| agency_name(a, lang)),
        requester_kind: row.requester_kind.clone(),
        agency_kind: requester.map(|a| a.kind.clone()),
        providers: split(&row.providers)
            .map(|code| {
                agencies
                    .get(code)
                    .map_or_else(|| code.to_owned(), |a| agency_name(a, lang))
            })
            .collect(),
        items: split(&row.items).map(str::to_owned).collect(),
        task: known_task.map(|t| t.code.to_owned()),
        // An app's or proxy's stated purpose; for an agency, a task code the portal does not know, as recorded.
        purpose: if known_task.is_some() {
            String::new()
        } else if row.purpose.is_empty() {
            row.task_code.clone()
        } else {
            row.purpose.clone()
        },
        result: row.result.clone(),
    }
}

/// Page `page` (from 1) of the rows `filter` matches, newest first, and whether another page follows;
/// `None` for a page past the end (page 1 is never past the end: it may be empty).
pub async fn page(
    state: &AppState,
    citizen: CitizenId,
    filter: &Filter,
    page: usize,
    lang: Lang,
) -> Result<Option<(Vec<HistoryEntry>, bool)>, AppError> {
    let linkage = filter.linkage();
    let offset = i64::try_from((page.max(1) - 1).saturating_mul(PAGE_SIZE)).unwrap_or(i64::MAX);
    // One more than a page, to know whether there is a next page without counting.
    let limit = i64::try_from(PAGE_SIZE + 1).unwrap_or(21);
    let (mut rows, agencies) = state
        .db
        .run(move |c| {
            let rows = LinkageRecord::page(c, citizen, &linkage, limit, offset)?;
            let agencies = agencies_of(c, &rows)?;
            Ok((rows, agencies))
        })
        .await?;
    if rows.is_empty() && page > 1 {
        return Ok(None);
    }
    let has_next = rows.len() > PAGE_SIZE;
    rows.truncate(PAGE_SIZE);
    Ok(Some((
        rows.iter().map(|r| entry(r, &agencies, lang)).collect(),
        has_next,
    )))
}

/// Everyone who has read the citizen's data in the open (never the requester of a withheld row), named in
/// `lang`, by name.
pub async fn requesters(
    state: &AppState,
    citizen: CitizenId,
    lang: Lang,
) -> Result<Vec<Requester>, AppError> {
    let (pairs, agencies) = state
        .db
        .run(move |c| {
            let pairs = LinkageRecord::requesters(c, citizen)?;
            let ids: Vec<String> = pairs.iter().map(|(id, _)| id.clone()).collect();
            Ok((pairs, Agency::by_codes(c, &ids)?))
        })
        .await?;
    let agencies: HashMap<&str, &Agency> = agencies.iter().map(|a| (a.code.as_str(), a)).collect();
    let mut seen = BTreeSet::new();
    let mut list: Vec<Requester> = pairs
        .into_iter()
        // A requester whose name changed appears once per name: keep one.
        .filter(|(id, _)| seen.insert(id.clone()))
        .map(|(id, name)| Requester {
            name: agencies
                .get(id.as_str())
                .map_or(name, |a| agency_name(a, lang)),
            id,
        })
        .collect();
    list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(list)
}

/// Every row `filter` matches, newest first, at most [`DOWNLOAD_CAP`]: for the CSV download.
pub async fn all(
    state: &AppState,
    citizen: CitizenId,
    filter: &Filter,
    lang: Lang,
) -> Result<Vec<HistoryEntry>, AppError> {
    let linkage = filter.linkage();
    let (rows, agencies) = state
        .db
        .run(move |c| {
            let rows = LinkageRecord::page(c, citizen, &linkage, DOWNLOAD_CAP, 0)?;
            let agencies = agencies_of(c, &rows)?;
            Ok((rows, agencies))
        })
        .await?;
    Ok(rows.iter().map(|r| entry(r, &agencies, lang)).collect())
}

/// The rows as CSV in `lang`, with the same words as the page. A withheld row says so in each column it
/// hides.
pub fn csv(entries: &[HistoryEntry], lang: Lang) -> String {
    let mut csv = Csv::default();
    csv.row([
        lang.t("history.csv.when"),
        lang.t("history.label.requester"),
        lang.t("history.label.providers"),
        lang.t("history.label.items"),
        lang.t("history.label.task"),
        lang.t("history.csv.explanation"),
        lang.t("history.label.result"),
    ]);
    for entry in entries {
        let when = format!("{} {}", entry.date, entry.time);
        if entry.withheld {
            let withheld = lang.t("history.withheld.tag").to_owned();
            let mut cells = vec![when];
            cells.extend(std::iter::repeat_n(withheld, 6));
            csv.row(cells);
            continue;
        }
        let text = EntryText { lang, entry };
        csv.row([
            when,
            text.requester(),
            text.providers(),
            text.items(),
            text.task_name(),
            text.task_explanation(),
            text.result(),
        ]);
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_covers_whole_days_in_japan() {
        let day = Date::from_calendar_date(2026, time::Month::April, 1).unwrap_or(Date::MIN);
        // 2026-04-01 00:00 in Japan is 2026-03-31 15:00 UTC.
        assert_eq!(japan_midnight_millis(day), 1_774_969_200_000);
        let filter = Filter {
            from: Some(day),
            to: Some(day),
            ..Filter::default()
        };
        let linkage = filter.linkage();
        assert_eq!(linkage.from, Some(1_774_969_200_000));
        assert_eq!(linkage.until, Some(1_774_969_200_000 + 86_400_000));
        assert_eq!(
            japan_time(1_774_969_200_000 - 60_000),
            ("2026-03-31".to_owned(), "23:59".to_owned())
        );
    }
}
