//! お知らせ from the agency's side: post to listed citizens (by the agency's pseudonyms) or to a rule
//! (everyone, municipalities, an age range, or a combination), correct, withdraw, and the figures per notice.
//! Posting stores the notice once and schedules its alert fan-out; the mails themselves are the outbox
//! workers' (services/outbox.rs), so a post never waits for millions of rows.

use portal_storage::ids::NoticeId;
use portal_storage::models::agency::AgencyKind;
use portal_storage::models::fanout::Fanout;
use portal_storage::models::notice::{
    AUDIENCE_RULE, Correction, Importance, Notice, NoticeCategory, list_audience,
};
use portal_storage::models::outbox::OutboxMail;
use portal_storage::{now_millis, transaction};
use time::Date;

use crate::error::AppError;
use crate::services::agencies::{AgencyPrincipal, is_municipality_code};
use crate::state::AppState;

/// Most pseudonyms one post (or one addition) may name; larger lists are sent in several additions.
pub const MAX_LIST: usize = 1_000_000;
/// Unknown pseudonyms a post reports back by value (all are counted).
pub const UNKNOWN_SHOWN: usize = 100;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
const URL_MAX: usize = 2_000;
const LABEL_MAX: usize = 100;

/// Why a post, correction or withdrawal was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An input field is wrong: its path (e.g. `notice.deadline`) and what is expected.
    Invalid { field: String, reason: String },
    /// The agency may not do this (e.g. a municipality addressing another municipality's residents).
    Forbidden(String),
    /// No notice of this agency has that id.
    NotFound,
}

impl Refusal {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

/// A notice's content as the agency sent it, before checking.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub title: String,
    pub body: String,
    pub lang: Option<String>,
    pub category: String,
    pub importance: Option<String>,
    pub deadline: Option<String>,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    /// YYYY-MM-DD: the last day (in Japan) the notice shows.
    pub expires_on: Option<String>,
}

/// Who a broadcast reaches: residents of `municipalities` (everywhere when empty and `everyone`), aged
/// between `min_age` and `max_age` on the day of posting.
#[derive(Debug, Clone, Default)]
pub struct Audience {
    pub everyone: bool,
    pub municipalities: Vec<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
}

/// The checked content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub title: String,
    pub body: String,
    pub lang: String,
    pub category: NoticeCategory,
    pub importance: Importance,
    pub deadline: Option<String>,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    pub expires_at: Option<i64>,
}

/// What a post did.
#[derive(Debug, Clone)]
pub struct Posted {
    pub notice: Notice,
    /// Pseudonyms that name no citizen for this agency: counted, and the first [`UNKNOWN_SHOWN`] given.
    pub unknown_count: usize,
    pub unknown: Vec<String>,
}

/// The agency's figures for one notice.
#[derive(Debug, Clone)]
pub struct Figures {
    pub notice: Notice,
    pub read: i64,
    pub mails: MailFigures,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailFigures {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
}

fn parse_date(value: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), format).ok()
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Checks the content against `today` (in Japan). Each refusal names the field and what it expects.
pub fn check(content: Content, today: Date) -> Result<Checked, Refusal> {
    let title = content.title.trim().to_owned();
    if title.is_empty() {
        return Err(Refusal::invalid("notice.title", "must not be empty"));
    }
    if title.chars().count() > TITLE_MAX {
        return Err(Refusal::invalid(
            "notice.title",
            format!("must be at most {TITLE_MAX} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            "notice.title",
            "must be one line without control characters",
        ));
    }
    // Windows line ends become plain ones; other control characters have no place in plain text.
    let body = content.body.replace("\r\n", "\n").trim().to_owned();
    if body.is_empty() {
        return Err(Refusal::invalid("notice.body", "must not be empty"));
    }
    if body.chars().count() > BODY_MAX {
        return Err(Refusal::invalid(
            "notice.body",
            format!("must be at most {BODY_MAX} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Refusal::invalid(
            "notice.body",
            "must be plain text: only line breaks and tabs as control characters",
        ));
    }
    let lang = blank_to_none(content.lang).unwrap_or_else(|| "ja".to_owned());
    if lang != "ja" && lang != "en" {
        return Err(Refusal::invalid("notice.lang", "must be ja or en"));
    }
    let category = NoticeCategory::from_code(content.category.trim()).ok_or_else(|| {
        Refusal::invalid(
            "notice.category",
            "must be one of tax, pension, health, benefits, disaster, other",
        )
    })?;
    let importance = match blank_to_none(content.importance) {
        None => Importance::Normal,
        Some(code) => Importance::from_code(&code)
            .ok_or_else(|| Refusal::invalid("notice.importance", "must be normal or high"))?,
    };
    let deadline = match blank_to_none(content.deadline) {
        None => None,
        Some(d) => Some(
            parse_date(&d)
                .ok_or_else(|| Refusal::invalid("notice.deadline", "must be a date as YYYY-MM-DD"))?
                .to_string(),
        ),
    };
    let action_url = blank_to_none(content.action_url);
    let action_label = blank_to_none(content.action_label);
    if let Some(url) = &action_url {
        let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
        if !scheme_ok || url.len() > URL_MAX || url.chars().any(char::is_whitespace) {
            return Err(Refusal::invalid(
                "notice.actionUrl",
                format!("must be an http(s) address of at most {URL_MAX} characters"),
            ));
        }
        // A link's text must say where it goes (WCAG 2.4.4): no bare "click here" from the address alone.
        match &action_label {
            None => {
                return Err(Refusal::invalid(
                    "notice.actionLabel",
                    "is required with actionUrl: the words the link shows",
                ));
            }
            Some(label) if label.chars().count() > LABEL_MAX => {
                return Err(Refusal::invalid(
                    "notice.actionLabel",
                    format!("must be at most {LABEL_MAX} characters"),
                ));
            }
            Some(_) => {}
        }
    } else if action_label.is_some() {
        return Err(Refusal::invalid(
            "notice.actionUrl",
            "is required with actionLabel",
        ));
    }
    let expires_at = match blank_to_none(content.expires_on) {
        None => None,
        Some(d) => {
            let day = parse_date(&d).ok_or_else(|| {
                Refusal::invalid("notice.expiresOn", "must be a date as YYYY-MM-DD")
            })?;
            if day < today {
                return Err(Refusal::invalid(
                    "notice.expiresOn",
                    "must be today or later",
                ));
            }
            Some(end_of_day_in_japan(day))
        }
    };
    Ok(Checked {
        title,
        body,
        lang,
        category,
        importance,
        deadline,
        action_url,
        action_label,
        expires_at,
    })
}

/// Unix milliseconds when `day` ends in Japan (UTC+9, no daylight saving).
fn end_of_day_in_japan(day: Date) -> i64 {
    let next = day.next_day().unwrap_or(day);
    let midnight_jst = next.midnight().assume_utc().unix_timestamp() - 9 * 3600;
    midnight_jst * 1000
}

/// The rule's stored form: areas as a comma list, ages as inclusive birth-date bounds for `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub areas: String,
    pub born_from: Option<String>,
    pub born_to: Option<String>,
}

/// `today` less `years`, with 29 February becoming 28 February in common years.
fn years_before(today: Date, years: i32) -> Option<Date> {
    let year = today.year() - years;
    Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), 28))
        .ok()
}

/// Checks a broadcast's audience for this agency. A municipality addresses only its own residents; national
/// agencies and insurers address anyone.
pub fn check_audience(
    agency: &AgencyPrincipal,
    audience: &Audience,
    today: Date,
) -> Result<Rule, Refusal> {
    let mut areas: Vec<String> = Vec::new();
    for (i, code) in audience.municipalities.iter().enumerate() {
        let code = code.trim();
        if !is_municipality_code(code) {
            return Err(Refusal::invalid(
                &format!("audience.municipalities[{i}]"),
                "must be a 6-digit local government code with its check digit, e.g. 131016",
            ));
        }
        if !areas.iter().any(|a| a == code) {
            areas.push(code.to_owned());
        }
    }
    if audience.everyone && !areas.is_empty() {
        return Err(Refusal::invalid(
            "audience.everyone",
            "cannot be combined with municipalities: give one or the other",
        ));
    }
    for (field, age) in [
        ("audience.minAge", audience.min_age),
        ("audience.maxAge", audience.max_age),
    ] {
        if age.is_some_and(|a| !(0..=150).contains(&a)) {
            return Err(Refusal::invalid(field, "must be from 0 to 150"));
        }
    }
    if let (Some(min), Some(max)) = (audience.min_age, audience.max_age)
        && min > max
    {
        return Err(Refusal::invalid(
            "audience.maxAge",
            "must not be below minAge",
        ));
    }
    if !audience.everyone
        && areas.is_empty()
        && audience.min_age.is_none()
        && audience.max_age.is_none()
    {
        return Err(Refusal::invalid(
            "audience",
            "must say who: everyone: true, municipalities, an age range, or a combination",
        ));
    }
    if agency.kind() == Some(AgencyKind::Municipality)
        && (areas.is_empty() || areas.iter().any(|a| *a != agency.code))
    {
        return Err(Refusal::Forbidden(format!(
            "a municipality may address only its own residents: municipalities must be [\"{}\"]",
            agency.code
        )));
    }
    // Aged at least `min` today: born on or before today less `min` years. Aged at most `max`: born after
    // today less `max + 1` years.
    let born_to = audience
        .min_age
        .and_then(|min| years_before(today, min))
        .map(|d| d.to_string());
    let born_from = audience
        .max_age
        .and_then(|max| years_before(today, max + 1))
        .and_then(Date::next_day)
        .map(|d| d.to_string());
    Ok(Rule {
        areas: areas.join(","),
        born_from,
        born_to,
    })
}

fn new_notice(
    agency: &AgencyPrincipal,
    checked: Checked,
    audience: &str,
    rule: Option<Rule>,
    now: i64,
) -> Notice {
    let rule = rule.unwrap_or(Rule {
        areas: String::new(),
        born_from: None,
        born_to: None,
    });
    Notice {
        id: NoticeId::new(),
        agency_id: agency.agency_id,
        audience: audience.to_owned(),
        rule_areas: rule.areas,
        rule_born_from: rule.born_from,
        rule_born_to: rule.born_to,
        title: checked.title,
        body: checked.body,
        lang: checked.lang,
        category: checked.category.code().to_owned(),
        importance: checked.importance.code().to_owned(),
        deadline: checked.deadline,
        action_url: checked.action_url,
        action_label: checked.action_label,
        expires_at: checked.expires_at,
        posted_at: now,
        corrected_at: None,
        withdrawn_at: None,
        recipients: None,
    }
}

fn too_many(pseudonyms: &[String]) -> Result<(), Refusal> {
    if pseudonyms.is_empty() {
        return Err(Refusal::invalid(
            "citizens",
            "must name at least one citizen by your agency's pseudonym",
        ));
    }
    if pseudonyms.len() > MAX_LIST {
        return Err(Refusal::invalid(
            "citizens",
            format!("at most {MAX_LIST} per call: add the rest with addNoticeRecipients"),
        ));
    }
    Ok(())
}

/// Posts a notice to the citizens the agency names by its pseudonyms. Unknown pseudonyms are reported and
/// skipped; the notice, its list and its fan-out are stored in one transaction.
pub async fn post_to_list(
    state: &AppState,
    agency: &AgencyPrincipal,
    content: Content,
    pseudonyms: Vec<String>,
) -> Result<Result<Posted, Refusal>, AppError> {
    let checked = match check(content, crate::japan_today()) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Err(refusal) = too_many(&pseudonyms) {
        return Ok(Err(refusal));
    }
    let now = now_millis();
    let audience = list_audience(pseudonyms.len());
    let mut notice = new_notice(agency, checked, audience, None, now);
    let agency_id = agency.agency_id;
    let stored = notice.clone();
    let (added, unknown) = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                Notice::insert(c, &stored)?;
                let added = Notice::add_listed(c, &stored, &pseudonyms, true)?;
                let added = i64::try_from(added).unwrap_or(i64::MAX);
                Notice::set_recipients(c, stored.id, added)?;
                Fanout::start(c, stored.id, now)?;
                let unknown = if usize::try_from(added).unwrap_or(0) < pseudonyms.len() {
                    Notice::unknown_pseudonyms(c, agency_id, &pseudonyms, usize::MAX)?
                } else {
                    Vec::new()
                };
                Ok((added, unknown))
            })
        })
        .await?;
    state.sessions().notices_changed().await?;
    notice.recipients = Some(added);
    Ok(Ok(Posted {
        notice,
        unknown_count: unknown.len(),
        unknown: unknown.into_iter().take(UNKNOWN_SHOWN).collect(),
    }))
}

/// Adds citizens to one of the agency's list notices (for lists larger than one call takes); they are
/// alerted like the first ones.
pub async fn add_recipients(
    state: &AppState,
    agency: &AgencyPrincipal,
    id: NoticeId,
    pseudonyms: Vec<String>,
) -> Result<Result<Posted, Refusal>, AppError> {
    if let Err(refusal) = too_many(&pseudonyms) {
        return Ok(Err(refusal));
    }
    let agency_id = agency.agency_id;
    let now = now_millis();
    let outcome = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let Some(notice) = Notice::find_for_agency(c, id, agency_id)? else {
                    return Ok(Err(Refusal::NotFound));
                };
                if notice.is_rule() {
                    return Ok(Err(Refusal::invalid(
                        "id",
                        "is a broadcast: only list notices take named citizens",
                    )));
                }
                if notice.withdrawn_at.is_some() {
                    return Ok(Err(Refusal::invalid("id", "was withdrawn")));
                }
                let added = Notice::add_listed(c, &notice, &pseudonyms, false)?;
                let total = notice.recipients.unwrap_or(0) + i64::try_from(added).unwrap_or(0);
                Notice::set_recipients(c, id, total)?;
                Fanout::start(c, id, now)?;
                let unknown = Notice::unknown_pseudonyms(c, agency_id, &pseudonyms, usize::MAX)?;
                Ok(Ok((
                    Notice {
                        recipients: Some(total),
                        ..notice
                    },
                    unknown,
                )))
            })
        })
        .await?;
    if outcome.is_ok() {
        state.sessions().notices_changed().await?;
    }
    Ok(outcome.map(|(notice, unknown)| Posted {
        notice,
        unknown_count: unknown.len(),
        unknown: unknown.into_iter().take(UNKNOWN_SHOWN).collect(),
    }))
}

/// Posts a broadcast: one row whatever its reach. Its recipients are counted by the fan-out, in the
/// background.
pub async fn post_to_rule(
    state: &AppState,
    agency: &AgencyPrincipal,
    content: Content,
    audience: Audience,
) -> Result<Result<Posted, Refusal>, AppError> {
    let today = crate::japan_today();
    let checked = match check(content, today) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let rule = match check_audience(agency, &audience, today) {
        Ok(rule) => rule,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let now = now_millis();
    let notice = new_notice(agency, checked, AUDIENCE_RULE, Some(rule), now);
    let stored = notice.clone();
    state
        .db
        .run(move |c| {
            transaction(c, |c| {
                Notice::insert(c, &stored)?;
                Fanout::start(c, stored.id, now)
            })
        })
        .await?;
    state.sessions().notices_changed().await?;
    Ok(Ok(Posted {
        notice,
        unknown_count: 0,
        unknown: Vec::new(),
    }))
}

/// Corrects one of the agency's notices; citizens see that it was corrected, and when. Who it reaches does
/// not change (post a new notice for that).
pub async fn correct(
    state: &AppState,
    agency: &AgencyPrincipal,
    id: NoticeId,
    content: Content,
) -> Result<Result<Notice, Refusal>, AppError> {
    let checked = match check(content, crate::japan_today()) {
        Ok(checked) => checked,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let agency_id = agency.agency_id;
    let now = now_millis();
    let outcome = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                let Some(notice) = Notice::find_for_agency(c, id, agency_id)? else {
                    return Ok(Err(Refusal::NotFound));
                };
                if notice.withdrawn_at.is_some() {
                    return Ok(Err(Refusal::invalid(
                        "id",
                        "was withdrawn: a withdrawn notice cannot be corrected",
                    )));
                }
                let correction = Correction {
                    title: checked.title,
                    body: checked.body,
                    lang: checked.lang,
                    category: checked.category.code().to_owned(),
                    importance: checked.importance.code().to_owned(),
                    deadline: checked.deadline,
                    action_url: checked.action_url,
                    action_label: checked.action_label,
                    expires_at: checked.expires_at,
                    corrected_at: Some(now),
                };
                Notice::correct(c, id, &correction)?;
                Ok(Ok(Notice::find(c, id)?))
            })
        })
        .await?;
    if matches!(outcome, Ok(Some(_))) {
        state.sessions().notices_changed().await?;
    }
    Ok(match outcome {
        Ok(Some(notice)) => Ok(notice),
        Ok(None) => Err(Refusal::NotFound),
        Err(refusal) => Err(refusal),
    })
}

/// Withdraws one of the agency's notices: it leaves every inbox, its fan-out stops and alerts not yet sent
/// are cancelled. Withdrawing twice keeps the first time.
pub async fn withdraw(
    state: &AppState,
    agency: &AgencyPrincipal,
    id: NoticeId,
) -> Result<Result<Notice, Refusal>, AppError> {
    let agency_id = agency.agency_id;
    let now = now_millis();
    let found = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                if Notice::find_for_agency(c, id, agency_id)?.is_none() {
                    return Ok(None);
                }
                Notice::withdraw(c, id, now)?;
                Notice::find(c, id)
            })
        })
        .await?;
    if found.is_some() {
        state.sessions().notices_changed().await?;
    }
    Ok(found.ok_or(Refusal::NotFound))
}

/// Notices listed per page of the staff console.
pub const CONSOLE_PAGE: i64 = 50;

/// The agency's newest notices, for the staff console.
pub async fn recent(state: &AppState, agency: &AgencyPrincipal) -> Result<Vec<Notice>, AppError> {
    let agency_id = agency.agency_id;
    Ok(state
        .db
        .run(move |c| Notice::of_agency(c, agency_id, CONSOLE_PAGE, 0))
        .await?)
}

/// Where one of the agency's notices stands: its figures and the stage of its alerts' fan-out, for the
/// staff console's progress page.
pub async fn delivery(
    state: &AppState,
    agency: &AgencyPrincipal,
    id: NoticeId,
) -> Result<Option<(Notice, portal_web::pages::staff_notices::Delivery)>, AppError> {
    let Some(figures) = figures(state, agency, id).await? else {
        return Ok(None);
    };
    let fanout = state.db.run(move |c| Fanout::find(c, id)).await?;
    let mails = figures.mails;
    let stage = if figures.notice.withdrawn_at.is_some() {
        "withdrawn"
    } else if fanout
        .as_ref()
        .is_some_and(|f| f.stage == portal_storage::models::fanout::STAGE_ALERT)
    {
        "alerting"
    } else if mails.queued > 0 {
        "sending"
    } else if fanout.is_some() {
        "reminder"
    } else {
        "done"
    };
    let delivery = portal_web::pages::staff_notices::Delivery {
        stage,
        recipients: figures.notice.recipients,
        read: figures.read,
        queued: mails.queued,
        sent: mails.sent,
        failed: mails.failed,
        cancelled: mails.cancelled,
    };
    Ok(Some((figures.notice, delivery)))
}

/// The agency's figures for one of its notices: recipients, reads, and mails by state.
pub async fn figures(
    state: &AppState,
    agency: &AgencyPrincipal,
    id: NoticeId,
) -> Result<Option<Figures>, AppError> {
    let agency_id = agency.agency_id;
    let found = state
        .db
        .run(move |c| {
            let Some(notice) = Notice::find_for_agency(c, id, agency_id)? else {
                return Ok(None);
            };
            let read = Notice::read_count(c, id)?;
            let counts = OutboxMail::counts_for_notice(c, id)?;
            // A mail being sent is still waiting, as far as the agency is concerned.
            let mails = MailFigures {
                queued: counts.queued + counts.sending,
                sent: counts.sent,
                failed: counts.failed,
                cancelled: counts.cancelled,
            };
            Ok(Some(Figures {
                notice,
                read,
                mails,
            }))
        })
        .await?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        parse_date(s).expect("a date")
    }

    fn content() -> Content {
        Content {
            title: "住民税の納税通知".to_owned(),
            body: "第1期の納期限は6月30日です。\n\nhttps://example.jp/tax".to_owned(),
            category: "tax".to_owned(),
            ..Content::default()
        }
    }

    fn principal(kind: AgencyKind, code: &str) -> AgencyPrincipal {
        AgencyPrincipal {
            agency_id: portal_storage::ids::AgencyId::new(),
            code: code.to_owned(),
            kind: kind.code().to_owned(),
            name_ja: "テスト".to_owned(),
            client_id: "c".to_owned(),
        }
    }

    #[test]
    fn content_defaults_and_refusals_name_the_field() {
        let today = day("2026-11-27");
        let ok = check(content(), today).expect("valid");
        assert_eq!(
            (ok.lang.as_str(), ok.importance, ok.category),
            ("ja", Importance::Normal, NoticeCategory::Tax)
        );
        let cases: Vec<(Content, &str)> = vec![
            (
                Content {
                    title: " ".to_owned(),
                    ..content()
                },
                "notice.title",
            ),
            (
                Content {
                    body: "a\u{7}b".to_owned(),
                    ..content()
                },
                "notice.body",
            ),
            (
                Content {
                    category: "weather".to_owned(),
                    ..content()
                },
                "notice.category",
            ),
            (
                Content {
                    deadline: Some("2026-02-30".to_owned()),
                    ..content()
                },
                "notice.deadline",
            ),
            (
                Content {
                    action_url: Some("javascript:alert(1)".to_owned()),
                    action_label: Some("x".to_owned()),
                    ..content()
                },
                "notice.actionUrl",
            ),
            (
                Content {
                    action_url: Some("https://example.jp/".to_owned()),
                    ..content()
                },
                "notice.actionLabel",
            ),
            (
                Content {
                    expires_on: Some("2026-11-26".to_owned()),
                    ..content()
                },
                "notice.expiresOn",
            ),
            (
                Content {
                    lang: Some("fr".to_owned()),
                    ..content()
                },
                "notice.lang",
            ),
        ];
        for (input, field) in cases {
            match check(input, today) {
                Err(Refusal::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_notice_expires_at_the_end_of_its_last_day_in_japan() {
        // 2026-11-27 24:00 JST = 2026-11-27 15:00 UTC.
        assert_eq!(end_of_day_in_japan(day("2026-11-27")), 1_795_791_600_000);
    }

    #[test]
    fn ages_become_inclusive_birth_date_bounds() {
        let today = day("2026-11-27");
        let national = principal(AgencyKind::Ministry, "mhlw");
        let rule = check_audience(
            &national,
            &Audience {
                min_age: Some(65),
                max_age: Some(74),
                ..Audience::default()
            },
            today,
        )
        .expect("valid");
        // 65 today: born on or before 1961-11-27. 74 at most: born after 1951-11-27.
        assert_eq!(rule.born_to.as_deref(), Some("1961-11-27"));
        assert_eq!(rule.born_from.as_deref(), Some("1951-11-28"));
        assert_eq!(rule.areas, "");
        // Someone born on 29 February is of age on 28 February in common years.
        assert_eq!(years_before(day("2027-02-28"), 1), Some(day("2026-02-28")));
        assert_eq!(years_before(day("2028-02-29"), 1), Some(day("2027-02-28")));
    }

    #[test]
    fn a_municipality_broadcasts_only_to_its_residents() {
        let today = day("2026-11-27");
        let town = principal(AgencyKind::Municipality, "131016");
        let own = Audience {
            municipalities: vec!["131016".to_owned()],
            ..Audience::default()
        };
        assert_eq!(
            check_audience(&town, &own, today).map(|r| r.areas),
            Ok("131016".to_owned())
        );
        let everyone = Audience {
            everyone: true,
            ..Audience::default()
        };
        assert!(matches!(
            check_audience(&town, &everyone, today),
            Err(Refusal::Forbidden(_))
        ));
        let bad = Audience {
            municipalities: vec!["131017".to_owned()],
            ..Audience::default()
        };
        assert!(matches!(
            check_audience(&principal(AgencyKind::Ministry, "mhlw"), &bad, today),
            Err(Refusal::Invalid { field, .. }) if field == "audience.municipalities[0]"
        ));
        assert!(matches!(
            check_audience(&principal(AgencyKind::Ministry, "mhlw"), &Audience::default(), today),
            Err(Refusal::Invalid { field, .. }) if field == "audience"
        ));
    }
}
