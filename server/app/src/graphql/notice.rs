//! お知らせ through GraphQL for agency clients: post to listed citizens or to a rule, add to a list,
//! correct, withdraw, and read the figures (recipients, reads, mails by state).

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use portal_storage::ids::NoticeId;
use portal_storage::models::notice::{AUDIENCE_LIST, AUDIENCE_RULE, Notice};

use super::agency::{agency, state};
use crate::error::AppError;
use crate::graphql::error::{BAD_REQUEST, FORBIDDEN, NOT_FOUND};
use crate::services::notices::{self, Audience, Content, Figures, Posted, Refusal};

/// A notice's content.
#[derive(InputObject)]
pub struct NoticeInput {
    /// One line, at most 200 characters.
    title: String,
    /// Plain text: paragraphs separated by a blank line; http(s) addresses become links. At most 20,000
    /// characters. Never HTML: it is shown as written.
    body: String,
    /// The language you wrote in: `ja` (default) or `en`.
    lang: Option<String>,
    /// tax, pension, health, benefits, disaster or other. Citizens choose by category which notices alert
    /// them by mail.
    category: String,
    /// `normal` (default) or `high`.
    importance: Option<String>,
    /// YYYY-MM-DD by which the citizen should act.
    deadline: Option<String>,
    /// An http(s) address for the action, with `actionLabel` as the link's words.
    action_url: Option<String>,
    action_label: Option<String>,
    /// YYYY-MM-DD: the last day the notice shows (in Japan); it stays until withdrawn when absent.
    expires_on: Option<String>,
}

impl From<NoticeInput> for Content {
    fn from(n: NoticeInput) -> Self {
        Content {
            title: n.title,
            body: n.body,
            lang: n.lang,
            category: n.category,
            importance: n.importance,
            deadline: n.deadline,
            action_url: n.action_url,
            action_label: n.action_label,
            expires_on: n.expires_on,
        }
    }
}

/// Who a broadcast reaches. Conditions combine: residents of the municipalities (or `everyone`) within the
/// age range on the day of posting. A municipality may address only its own residents.
#[derive(InputObject, Default)]
pub struct AudienceInput {
    everyone: Option<bool>,
    /// 6-digit local government codes.
    municipalities: Option<Vec<String>>,
    min_age: Option<i32>,
    max_age: Option<i32>,
}

/// A mail count per state.
#[derive(SimpleObject)]
pub struct MailCounts {
    /// Waiting to be sent (including being sent now and retries after a failure).
    queued: i64,
    sent: i64,
    /// Given up after retries, or refused by the receiving server.
    failed: i64,
    /// Not sent: the notice was withdrawn, or the citizen removed the address or unsubscribed first.
    cancelled: i64,
}

/// One of your notices as your agency sees it.
pub struct AgencyNotice {
    notice: Notice,
    figures: Option<Figures>,
}

#[Object]
impl AgencyNotice {
    async fn id(&self) -> ID {
        ID(self.notice.id.to_string())
    }
    /// `list` (named citizens) or `rule` (a broadcast).
    async fn audience(&self) -> &str {
        if self.notice.is_rule() {
            AUDIENCE_RULE
        } else {
            AUDIENCE_LIST
        }
    }
    async fn title(&self) -> &str {
        &self.notice.title
    }
    async fn category(&self) -> &str {
        &self.notice.category
    }
    /// Unix milliseconds.
    async fn posted_at(&self) -> i64 {
        self.notice.posted_at
    }
    async fn corrected_at(&self) -> Option<i64> {
        self.notice.corrected_at
    }
    async fn withdrawn_at(&self) -> Option<i64> {
        self.notice.withdrawn_at
    }
    /// Citizens the notice addresses; null while a broadcast's reach is still being counted.
    async fn recipients(&self) -> Option<i64> {
        self.notice.recipients
    }
    /// Citizens who have opened it.
    async fn read_count(&self) -> Option<i64> {
        self.figures.as_ref().map(|f| f.read)
    }
    /// Alert and reminder mails by state.
    async fn mails(&self) -> Option<MailCounts> {
        self.figures.as_ref().map(|f| MailCounts {
            queued: f.mails.queued,
            sent: f.mails.sent,
            failed: f.mails.failed,
            cancelled: f.mails.cancelled,
        })
    }
}

/// What a post did.
#[derive(SimpleObject)]
pub struct PostedNotice {
    notice: AgencyNotice,
    /// How many of the pseudonyms name no citizen for your agency (they were skipped).
    unknown_count: i32,
    /// The first 100 of them.
    unknown_citizens: Vec<String>,
}

impl From<Posted> for PostedNotice {
    fn from(p: Posted) -> Self {
        PostedNotice {
            notice: AgencyNotice {
                notice: p.notice,
                figures: None,
            },
            unknown_count: i32::try_from(p.unknown_count).unwrap_or(i32::MAX),
            unknown_citizens: p.unknown,
        }
    }
}

pub(super) fn refused(refusal: Refusal) -> async_graphql::Error {
    match refusal {
        Refusal::Invalid { field, reason } => {
            async_graphql::Error::new(format!("{field} {reason}")).extend_with(|_, e| {
                e.set("code", BAD_REQUEST);
                e.set("field", field.as_str());
            })
        }
        Refusal::Forbidden(reason) => {
            async_graphql::Error::new(reason).extend_with(|_, e| e.set("code", FORBIDDEN))
        }
        Refusal::NotFound => not_found(),
    }
}

fn not_found() -> async_graphql::Error {
    async_graphql::Error::new("your agency has no notice with that id")
        .extend_with(|_, e| e.set("code", NOT_FOUND))
}

fn notice_id(id: &ID) -> async_graphql::Result<NoticeId> {
    id.parse::<NoticeId>().map_err(|_| not_found())
}

fn answer<T, U: From<T>>(
    outcome: Result<Result<T, Refusal>, AppError>,
) -> async_graphql::Result<U> {
    match outcome {
        Ok(Ok(done)) => Ok(U::from(done)),
        Ok(Err(refusal)) => Err(refused(refusal)),
        Err(e) => Err(e.extend()),
    }
}

impl From<Notice> for AgencyNotice {
    fn from(notice: Notice) -> Self {
        AgencyNotice {
            notice,
            figures: None,
        }
    }
}

#[derive(Default)]
pub struct NoticeQuery;

#[Object]
impl NoticeQuery {
    /// One of your agency's notices with its figures. Needs an agency token.
    async fn notice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<AgencyNotice> {
        let principal = agency(ctx)?;
        let id = notice_id(&id)?;
        let figures = notices::figures(state(ctx)?, principal, id)
            .await
            .map_err(|e| e.extend())?
            .ok_or_else(not_found)?;
        Ok(AgencyNotice {
            notice: figures.notice.clone(),
            figures: Some(figures),
        })
    }
}

#[derive(Default)]
pub struct NoticeMutation;

#[Object]
impl NoticeMutation {
    /// Posts a notice to citizens named by your agency's pseudonyms (up to 1,000,000 per call; add more with
    /// `addNoticeRecipients`). Unknown pseudonyms are skipped and reported. Needs an agency token.
    async fn post_notice(
        &self,
        ctx: &Context<'_>,
        notice: NoticeInput,
        citizens: Vec<String>,
    ) -> async_graphql::Result<PostedNotice> {
        let principal = agency(ctx)?;
        answer(notices::post_to_list(state(ctx)?, principal, notice.into(), citizens).await)
    }

    /// Posts a broadcast to everyone matching `audience`: stored once, however many it reaches.
    async fn post_broadcast(
        &self,
        ctx: &Context<'_>,
        notice: NoticeInput,
        audience: AudienceInput,
    ) -> async_graphql::Result<PostedNotice> {
        let principal = agency(ctx)?;
        let audience = Audience {
            everyone: audience.everyone.unwrap_or(false),
            municipalities: audience.municipalities.unwrap_or_default(),
            min_age: audience.min_age,
            max_age: audience.max_age,
        };
        answer(notices::post_to_rule(state(ctx)?, principal, notice.into(), audience).await)
    }

    /// Adds citizens to one of your list notices.
    async fn add_notice_recipients(
        &self,
        ctx: &Context<'_>,
        id: ID,
        citizens: Vec<String>,
    ) -> async_graphql::Result<PostedNotice> {
        let principal = agency(ctx)?;
        let id = notice_id(&id)?;
        answer(notices::add_recipients(state(ctx)?, principal, id, citizens).await)
    }

    /// Replaces a notice's content; citizens see that it was corrected and when.
    async fn correct_notice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        notice: NoticeInput,
    ) -> async_graphql::Result<AgencyNotice> {
        let principal = agency(ctx)?;
        let id = notice_id(&id)?;
        answer(notices::correct(state(ctx)?, principal, id, notice.into()).await)
    }

    /// Withdraws a notice: it leaves every inbox and mails not yet sent are cancelled.
    async fn withdraw_notice(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<AgencyNotice> {
        let principal = agency(ctx)?;
        let id = notice_id(&id)?;
        answer(notices::withdraw(state(ctx)?, principal, id).await)
    }
}
