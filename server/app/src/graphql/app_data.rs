//! The 自己情報取得API for private apps: `me`, the citizen an app's access token speaks for, with their
//! records by category. Every field checks the token's scopes and answers a missing one with an error coded
//! `FORBIDDEN` (never a silent null); every read is written to the citizen's やりとり履歴 naming the app
//! and its purpose. Lists page with cursors (newest update first) and carry each record's source and
//! last update.

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};
use portal_storage::models::category::Category;

use crate::graphql::agency::{CitizenRecord, RecordSource, state};
use crate::graphql::error::{FORBIDDEN, UNAUTHENTICATED};
use crate::services::agencies::AgencyPrincipal;
use crate::services::app_api::{self, PageRequest};
use crate::services::oauth::AppPrincipal;

#[derive(Default)]
pub struct AppDataQuery;

#[Object]
impl AppDataQuery {
    /// The citizen who consented to the app whose access token is sent (apps' tokens only).
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        principal(ctx)?;
        Ok(Me)
    }
}

fn principal<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a AppPrincipal> {
    if let Some(principal) = ctx.data_opt::<AppPrincipal>() {
        return Ok(principal);
    }
    let code = if ctx.data_opt::<AgencyPrincipal>().is_some() {
        FORBIDDEN
    } else {
        UNAUTHENTICATED
    };
    Err(async_graphql::Error::new(
        "an app's access token is required (the authorization code flow at /oauth/authorize)",
    )
    .extend_with(|_, e| e.set("code", code)))
}

/// The citizen, as far as the consent reaches.
pub struct Me;

/// One page of records.
#[derive(SimpleObject)]
pub struct RecordConnection {
    /// Every record in the date range, on all pages.
    total_count: i64,
    edges: Vec<RecordEdge>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct RecordEdge {
    /// Pass as `after` to read the records after this one.
    cursor: String,
    node: CitizenRecord,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    has_next_page: bool,
    /// The last edge's cursor.
    end_cursor: Option<String>,
}

/// The app's principal, if its token carries `scope`; else an error naming the scope.
fn scoped<'a>(ctx: &Context<'a>, scope: &str) -> async_graphql::Result<&'a AppPrincipal> {
    let principal = principal(ctx)?;
    if principal.has_scope(scope) {
        return Ok(principal);
    }
    Err(async_graphql::Error::new(format!(
        "the citizen's consent does not include the scope {scope}"
    ))
    .extend_with(|_, e| {
        e.set("code", FORBIDDEN);
        e.set("scope", scope);
    }))
}

async fn read(
    ctx: &Context<'_>,
    scope: &str,
    category: Category,
    request: PageRequest,
) -> async_graphql::Result<RecordConnection> {
    let principal = scoped(ctx, scope)?;
    let page = app_api::records(state(ctx)?, principal, category, request)
        .await
        .map_err(|e| e.extend())?;
    let edges: Vec<RecordEdge> = page
        .records
        .into_iter()
        .map(|r| RecordEdge {
            cursor: app_api::cursor(&r),
            node: CitizenRecord::from(r),
        })
        .collect();
    Ok(RecordConnection {
        total_count: page.total,
        page_info: PageInfo {
            has_next_page: page.has_next,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    })
}

/// A notice in the citizen's inbox, as an app reads it (scope `notices_read`).
#[derive(SimpleObject)]
pub struct AppNotice {
    id: String,
    title: String,
    /// Plain text, paragraphs separated by blank lines, in the language the agency wrote.
    body: String,
    /// `ja` or `en`.
    language: String,
    category: String,
    importance: String,
    /// YYYY-MM-DD by which the citizen should act.
    deadline: Option<String>,
    action_url: Option<String>,
    /// Unix milliseconds.
    posted_at: i64,
    /// Unix milliseconds of the agency's last correction.
    corrected_at: Option<i64>,
    /// Whether the citizen has opened it on the portal.
    read: bool,
    source: RecordSource,
}

#[derive(SimpleObject)]
pub struct NoticeEdge {
    cursor: String,
    node: AppNotice,
}

#[derive(SimpleObject)]
pub struct NoticeConnection {
    total_count: i64,
    edges: Vec<NoticeEdge>,
    page_info: PageInfo,
}

/// Each field reads one category, needs its scope, and takes the same paging arguments: `first` (1–100,
/// default 20), `after` (a cursor), and `from` / `to` (YYYY-MM-DD, inclusive) on the record's last update.
macro_rules! category_fields {
    ($($(#[$doc:meta])* $field:ident => $scope:literal, $category:expr;)*) => {
        #[Object]
        impl Me {
            /// The citizen's notices (not the archived ones), newest first: scope `notices_read`. Reading
            /// them here marks none read.
            #[graphql(complexity = "usize::try_from(first.unwrap_or(20)).unwrap_or(100) + child_complexity")]
            async fn notices(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
            ) -> async_graphql::Result<NoticeConnection> {
                let principal = scoped(ctx, "notices_read")?;
                let page = app_api::notices(state(ctx)?, principal, first, after)
                    .await
                    .map_err(|e| e.extend())?;
                let edges: Vec<NoticeEdge> = page
                    .items
                    .into_iter()
                    .map(|(cursor, item)| NoticeEdge {
                        cursor,
                        node: AppNotice {
                            id: item.notice.id.to_string(),
                            title: item.notice.title,
                            body: item.notice.body,
                            language: item.notice.lang,
                            category: item.notice.category,
                            importance: item.notice.importance,
                            deadline: item.notice.deadline,
                            action_url: item.notice.action_url,
                            posted_at: item.notice.posted_at,
                            corrected_at: item.notice.corrected_at,
                            read: item.read_at.is_some(),
                            source: RecordSource {
                                code: item.agency_code,
                                name: item.agency_name_ja,
                                name_en: item.agency_name_en,
                            },
                        },
                    })
                    .collect();
                Ok(NoticeConnection {
                    total_count: page.total,
                    page_info: PageInfo {
                        has_next_page: page.has_next,
                        end_cursor: edges.last().map(|e| e.cursor.clone()),
                    },
                    edges,
                })
            }
            $(
                $(#[$doc])*
                #[graphql(complexity = "usize::try_from(first.unwrap_or(20)).unwrap_or(100) + child_complexity")]
                async fn $field(
                    &self,
                    ctx: &Context<'_>,
                    first: Option<i32>,
                    after: Option<String>,
                    from: Option<String>,
                    to: Option<String>,
                ) -> async_graphql::Result<RecordConnection> {
                    read(ctx, $scope, $category, PageRequest { first, after, from, to }).await
                }
            )*
        }
    };
}

category_fields! {
    /// 基本4情報 (name, birth date, sex, address): scope `basic_info`.
    basic_info => "basic_info", Category::Resident;
    /// 健康診断: scope `health_checkups`.
    health_checkups => "health_checkups", Category::HealthCheckups;
    /// 薬剤情報: scope `prescriptions`.
    prescriptions => "prescriptions", Category::Prescriptions;
    /// 医療費: scope `medical_expenses`.
    medical_expenses => "medical_expenses", Category::MedicalExpenses;
    /// 健康保険: scope `health_insurance`.
    health_insurance => "health_insurance", Category::HealthInsurance;
    /// 控除証明書等: scope `deductions`.
    deductions => "deductions", Category::Deductions;
    /// 所得・住民税: scope `income_tax`.
    income_tax => "income_tax", Category::IncomeTax;
    /// 年金: scope `pension`.
    pension => "pension", Category::Pension;
}
