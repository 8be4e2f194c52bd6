//! わたしの情報: the records agencies published about the citizen, by category. Every query is on the
//! `records_citizen_category` index and none is made per row.

use portal_storage::ids::CitizenId;
use portal_storage::models::category::{Category, FieldKind};
use portal_storage::models::proxy::ActingProxy;
use portal_storage::models::record::{Record, SourcedRecord};
use portal_web::Lang;
use portal_web::format::ValueKind;
use portal_web::pages::my_data::{CategorySummary, FieldValue, PAGE_SIZE, RecordRow, field_label};
use serde_json::{Map, Value, json};

use crate::error::AppError;
use crate::services::csv::Csv;
use crate::state::AppState;

/// Most records one download holds. A citizen with more (decades of prescriptions) gets the newest.
pub const DOWNLOAD_CAP: i64 = 10_000;

/// Every category in the portal's order, with the citizen's count and newest update (zero for an empty
/// one): one grouped query.
pub async fn overview(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Vec<CategorySummary>, AppError> {
    let counts = state.db.run(move |c| Record::counts(c, citizen)).await?;
    Ok(Category::ALL
        .iter()
        .map(|category| {
            let found = counts.iter().find(|n| n.category == category.code());
            CategorySummary {
                code: category.code(),
                count: found.map_or(0, |n| u64::try_from(n.count).unwrap_or(0)),
                last_updated: found.and_then(|n| n.last_updated.clone()),
            }
        })
        .collect())
}

/// One page of a category: the page's records and the category's count and newest update.
#[derive(Debug, Clone)]
pub struct CategoryPage {
    pub total: u64,
    pub last_updated: Option<String>,
    pub records: Vec<SourcedRecord>,
}

/// Page `page` (from 1) of the citizen's records in `category`, newest update first; `None` when the category
/// has fewer pages. One round trip: the page carries the category's count, so it can number its pages.
pub async fn page(
    state: &AppState,
    citizen: CitizenId,
    category: Category,
    page: usize,
) -> Result<Option<CategoryPage>, AppError> {
    let offset =
        i64::try_from(page.saturating_sub(1).saturating_mul(PAGE_SIZE)).unwrap_or(i64::MAX);
    let size = i64::try_from(PAGE_SIZE).unwrap_or(20);
    let found = state
        .db
        .run(move |c| Record::category_page(c, citizen, category.code(), size, offset))
        .await?;
    // Page 1 of an empty category is a page (saying so); any other empty page is past the last.
    if found.records.is_empty() && page > 1 {
        return Ok(None);
    }
    Ok(Some(CategoryPage {
        total: u64::try_from(found.total).unwrap_or(0),
        last_updated: found.last_updated,
        records: found.records,
    }))
}

/// Records in the principal's やりとり履歴 that their proxy read `records` of `category` (a page, or a
/// download when `download`), as apps' reads are: who read which category, from which agencies.
pub async fn record_proxy_read(
    state: &AppState,
    principal: CitizenId,
    proxy: &ActingProxy,
    category: Category,
    records: &[SourcedRecord],
    download: bool,
) -> Result<(), AppError> {
    let purpose = if download {
        "代理人によるダウンロード"
    } else {
        "代理人による閲覧"
    };
    let row = crate::services::history::read_row(
        principal,
        crate::services::history::Reader {
            kind: "proxy",
            id: proxy.id.to_string(),
            name: proxy.name.clone(),
            purpose: purpose.to_owned(),
        },
        category.code(),
        records.iter().map(|r| r.agency_code.as_str()),
    );
    state.history.push(row).await
}

/// The citizen's records in `category` for a download, newest first, at most [`DOWNLOAD_CAP`].
pub async fn all(
    state: &AppState,
    citizen: CitizenId,
    category: Category,
) -> Result<Vec<SourcedRecord>, AppError> {
    let records = state
        .db
        .run(move |c| Record::page(c, citizen, category.code(), DOWNLOAD_CAP, 0))
        .await?;
    Ok(records)
}

/// How a field of this kind is written on the page.
pub fn value_kind(kind: FieldKind) -> ValueKind {
    match kind {
        FieldKind::Text | FieldKind::Year => ValueKind::Text,
        FieldKind::Date => ValueKind::Date,
        FieldKind::Month => ValueKind::Month,
        FieldKind::Yen => ValueKind::Yen,
        FieldKind::Count => ValueKind::Number,
    }
}

/// The stored fields of a record. They were checked when the agency published them; a row that somehow
/// does not parse shows as empty rather than failing the whole page.
fn fields(record: &SourcedRecord) -> Map<String, Value> {
    serde_json::from_str(&record.record.data).unwrap_or_default()
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The agency's name in `lang` (the Japanese name when it has no English one).
pub fn source_name(record: &SourcedRecord, lang: Lang) -> String {
    match lang {
        Lang::En if !record.agency_name_en.is_empty() => record.agency_name_en.clone(),
        _ => record.agency_name_ja.clone(),
    }
}

/// A record as a table row: its fields in the category's order.
pub fn row(category: Category, record: &SourcedRecord, lang: Lang) -> RecordRow {
    let data = fields(record);
    RecordRow {
        values: category
            .fields()
            .iter()
            .map(|field| FieldValue {
                kind: value_kind(field.kind),
                raw: text(data.get(field.key)),
            })
            .collect(),
        source: source_name(record, lang),
        updated_on: record.record.updated_on.clone(),
    }
}

/// The records as CSV: a header row of the field labels in `lang`, then the source and the last update.
/// Values stay as stored (ISO dates, plain digits), which spreadsheets read as dates and numbers.
pub fn csv(category: Category, records: &[SourcedRecord], lang: Lang) -> String {
    let mut csv = Csv::default();
    let mut head: Vec<String> = category
        .fields()
        .iter()
        .map(|f| field_label(lang, f.key))
        .collect();
    head.push(lang.t("my_data.source").to_owned());
    head.push(lang.t("my_data.updated_on").to_owned());
    csv.row(head);
    for record in records {
        let data = fields(record);
        let mut cells: Vec<String> = category
            .fields()
            .iter()
            .map(|f| text(data.get(f.key)).unwrap_or_default())
            .collect();
        cells.push(source_name(record, lang));
        cells.push(record.record.updated_on.clone());
        csv.row(cells);
    }
    csv.finish()
}

/// The records as JSON, for programs: per record its category, fields (by key), source agency and last
/// update.
pub fn json(category: Category, records: &[SourcedRecord]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "category": category.code(),
                "fields": fields(r),
                "source": {
                    "code": r.agency_code,
                    "name_ja": r.agency_name_ja,
                    "name_en": r.agency_name_en,
                },
                "updated_on": r.record.updated_on,
            })
        })
        .collect();
    json!({
        "category": category.code(),
        "fields": category.fields().iter().map(|f| f.key).collect::<Vec<_>>(),
        "records": records,
    })
}

#[cfg(test)]
mod tests {
    use portal_storage::models::agency::AgencyKind;
    use portal_storage::models::task::TASKS;

    use super::*;

    /// Every name the pages look up from stored codes exists in both catalogs: categories, fields, tasks,
    /// agency kinds, requester kinds and results. (The catalog test in the web crate cannot see these lists.)
    #[test]
    fn every_code_has_its_words_in_both_catalogs() {
        let mut keys = Vec::new();
        for category in Category::ALL {
            keys.push(format!("category.{}.name", category.code()));
            keys.push(format!("category.{}.description", category.code()));
            for field in category.fields() {
                keys.push(format!("field.{}", field.key));
            }
        }
        for task in TASKS {
            keys.push(format!("task.{}.name", task.code));
            keys.push(format!("task.{}.description", task.code));
        }
        for kind in AgencyKind::ALL {
            keys.push(format!("agency_kind.{}", kind.code()));
        }
        for kind in ["agency", "app", "proxy"] {
            keys.push(format!("history.requester_kind.{kind}"));
        }
        for result in ["provided", "no_data", "refused"] {
            keys.push(format!("history.result.{result}"));
        }
        let missing: Vec<String> = Lang::ALL
            .iter()
            .flat_map(|lang| {
                keys.iter()
                    .filter(|key| lang.get(key).is_none())
                    .map(move |key| format!("{key} ({})", lang.code()))
            })
            .collect();
        assert!(missing.is_empty(), "missing catalog entries: {missing:?}");
    }
}
