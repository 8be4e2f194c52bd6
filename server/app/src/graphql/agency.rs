//! What agencies do through GraphQL with an access token from /oauth/token: publish records, and read a
//! citizen's records for a stated task (every read lands in the citizen's やりとり履歴).

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use portal_storage::models::category::Category;
use portal_storage::models::record::SourcedRecord;
use portal_storage::models::task::TASKS;

use crate::error::AppError;
use crate::graphql::error::{FORBIDDEN, UNAUTHENTICATED};
use crate::services::agencies::AgencyPrincipal;
use crate::services::records::{self, Incoming};
use crate::state::AppState;

pub(super) fn state<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppState> {
    ctx.data::<AppState>()
        .map_err(|_| AppError::Startup("no state".to_owned()).extend())
}

pub(super) fn agency<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AgencyPrincipal> {
    ctx.data_opt::<AgencyPrincipal>().ok_or_else(|| {
        async_graphql::Error::new(
            "an agency access token is required (OAuth2 client credentials at /oauth/token)",
        )
        .extend_with(|_, e| e.set("code", UNAUTHENTICATED))
    })
}

/// One record to publish.
#[derive(InputObject)]
pub struct RecordInput {
    /// Your agency's pseudonym (機関別符号) for the citizen.
    citizen: String,
    /// Category code, e.g. `income_tax` (see `categories`).
    category: String,
    /// Your own id for the record. Sending the same id again updates the record instead of adding one.
    record_id: String,
    /// When you last updated the record, YYYY-MM-DD.
    updated_on: String,
    /// The category's fields as an object, e.g. `{"fiscal_year": "2025", "total_income": 4200000, …}`.
    fields: async_graphql::Json<serde_json::Value>,
}

/// A record the publish refused.
#[derive(SimpleObject)]
pub struct RejectedRecord {
    /// Its position in the batch, from 0.
    index: i32,
    record_id: String,
    /// The input field at fault, e.g. `fields.total_income`, when one is.
    field: Option<String>,
    reason: String,
}

/// What a publish did. Good records are kept even when others in the batch are rejected; fix and resend
/// the rejected ones (resending is safe).
#[derive(SimpleObject)]
pub struct PublishResult {
    created: i32,
    updated: i32,
    rejected: Vec<RejectedRecord>,
}

/// The agency that published a record.
#[derive(SimpleObject)]
pub struct RecordSource {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) name_en: String,
}

/// A record as an agency reads it.
#[derive(SimpleObject)]
pub struct CitizenRecord {
    category: String,
    updated_on: String,
    source: RecordSource,
    fields: async_graphql::Json<serde_json::Value>,
}

impl From<SourcedRecord> for CitizenRecord {
    fn from(r: SourcedRecord) -> Self {
        CitizenRecord {
            category: r.record.category,
            updated_on: r.record.updated_on,
            source: RecordSource {
                code: r.agency_code,
                name: r.agency_name_ja,
                name_en: r.agency_name_en,
            },
            fields: async_graphql::Json(
                serde_json::from_str(&r.record.data).unwrap_or(serde_json::Value::Null),
            ),
        }
    }
}

/// The answer to a read, and the history entry it wrote.
#[derive(SimpleObject)]
pub struct CitizenRecords {
    records: Vec<CitizenRecord>,
    /// Id of the row written to the citizen's やりとり履歴 for this read.
    linkage_id: String,
}

/// A task (事務) agencies read data for.
#[derive(SimpleObject)]
pub struct TaskInfo {
    code: &'static str,
    /// Kinds of agency that perform it.
    performed_by: Vec<&'static str>,
    /// Categories it may read.
    categories: Vec<&'static str>,
}

/// A category of わたしの情報 and its fields.
#[derive(SimpleObject)]
pub struct CategoryInfo {
    code: &'static str,
    fields: Vec<FieldInfo>,
}

#[derive(SimpleObject)]
pub struct FieldInfo {
    key: &'static str,
    /// text, date, month, year, yen or count.
    kind: &'static str,
    required: bool,
}

#[derive(Default)]
pub struct AgencyQuery;

#[Object]
impl AgencyQuery {
    /// A citizen's records, read by an agency for a task (事務). The read is written to the citizen's
    /// やりとり履歴 — also when it is refused. Needs an agency token; `citizen` is your agency's pseudonym.
    async fn citizen_records(
        &self,
        ctx: &Context<'_>,
        citizen: String,
        task: String,
        #[graphql(desc = "Categories to read; all the task allows when absent.")]
        categories: Option<Vec<String>>,
    ) -> async_graphql::Result<CitizenRecords> {
        let principal = agency(ctx)?;
        match records::read(state(ctx)?, principal, &citizen, &task, categories)
            .await
            .map_err(|e| match e {
                AppError::NotFound => {
                    async_graphql::Error::new("no citizen has that pseudonym for your agency")
                        .extend_with(|_, e| e.set("code", crate::graphql::error::NOT_FOUND))
                }
                other => other.extend(),
            })? {
            Ok(read) => Ok(CitizenRecords {
                records: read.records.into_iter().map(CitizenRecord::from).collect(),
                linkage_id: read.linkage.id.to_string(),
            }),
            Err(refusal) => Err(async_graphql::Error::new(refusal.to_string())
                .extend_with(|_, e| e.set("code", FORBIDDEN))),
        }
    }

    /// The tasks (事務) agencies may read citizens' data for.
    async fn tasks(&self) -> Vec<TaskInfo> {
        TASKS
            .iter()
            .map(|t| TaskInfo {
                code: t.code,
                performed_by: t.performed_by.iter().map(|k| k.code()).collect(),
                categories: t.categories.iter().map(|c| c.code()).collect(),
            })
            .collect()
    }

    /// The categories of わたしの情報 and their fields.
    async fn categories(&self) -> Vec<CategoryInfo> {
        use portal_storage::models::category::FieldKind;
        Category::ALL
            .iter()
            .map(|c| CategoryInfo {
                code: c.code(),
                fields: c
                    .fields()
                    .iter()
                    .map(|f| FieldInfo {
                        key: f.key,
                        kind: match f.kind {
                            FieldKind::Text => "text",
                            FieldKind::Date => "date",
                            FieldKind::Month => "month",
                            FieldKind::Year => "year",
                            FieldKind::Yen => "yen",
                            FieldKind::Count => "count",
                        },
                        required: f.required,
                    })
                    .collect(),
            })
            .collect()
    }
}

#[derive(Default)]
pub struct AgencyMutation;

#[Object]
impl AgencyMutation {
    /// Publishes records about citizens (at most 1000 per call). Needs an agency token.
    async fn publish_records(
        &self,
        ctx: &Context<'_>,
        records: Vec<RecordInput>,
    ) -> async_graphql::Result<PublishResult> {
        let principal = agency(ctx)?;
        let items = records
            .into_iter()
            .map(|r| Incoming {
                citizen: r.citizen,
                category: r.category,
                record_id: r.record_id,
                updated_on: r.updated_on,
                fields: r.fields.0,
            })
            .collect();
        let published = records::publish(state(ctx)?, principal, items)
            .await
            .map_err(|e| e.extend())?;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(PublishResult {
            created: count(published.created),
            updated: count(published.updated),
            rejected: published
                .rejected
                .into_iter()
                .map(|r| RejectedRecord {
                    index: count(r.index),
                    record_id: r.record_id,
                    field: r.field,
                    reason: r.reason,
                })
                .collect(),
        })
    }
}
