//! お知らせ for the citizen: the inbox and its archive, one notice (opening it marks it read), archiving, and
//! the unread count in the header of every signed-in page. The queries are in
//! [`portal_storage::models::inbox`]; none reads the notices of other citizens, and none is made per row.

use portal_storage::ids::{CitizenId, NoticeId};
use portal_storage::models::inbox::{self, Addressee, Folder, InboxFilter, InboxItem};
use portal_storage::models::notice::{Importance, NoticeCategory};
use portal_storage::now_millis;
use portal_web::Lang;
use portal_web::pages::notices::{NoticeFilterForm, NoticeRow, PAGE_SIZE, Sender, WORDS_MAX_CHARS};
use time::{OffsetDateTime, UtcOffset};

use crate::error::AppError;
use crate::state::AppState;

/// Most words a search takes; more are ignored.
const MAX_WORDS: usize = 5;

/// How many notices in the citizen's inbox they have not opened: one query.
pub async fn unread_count(state: &AppState, citizen: CitizenId) -> Result<u64, AppError> {
    let now = now_millis();
    let count = state
        .db
        .run(move |c| inbox::unread_count(c, citizen, now))
        .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// The storage filter for what was typed. Values that name nothing (a category that does not exist) are
/// kept, so they match nothing and the page says so, rather than being dropped silently.
pub fn filter(form: &NoticeFilterForm) -> InboxFilter {
    let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
    let words: String = form.words.chars().take(WORDS_MAX_CHARS).collect();
    InboxFilter {
        folder: if form.is_archive() {
            Folder::Archive
        } else {
            Folder::Inbox
        },
        unread_only: form.unread_only(),
        agency: text(&form.agency),
        category: text(&form.category),
        // Split on any white space, the full-width space of Japanese input included.
        words: words
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(str::to_owned)
            .collect(),
    }
}

/// One page of the inbox (or archive) as the list shows it.
#[derive(Debug, Clone)]
pub struct Listing {
    pub rows: Vec<NoticeRow>,
    pub total: u64,
    /// Agencies that have sent the citizen notices in this view, for the filter.
    pub senders: Vec<Sender>,
}

/// Page `page` (from 1) of the citizen's notices matching `form`, newest first; `None` past the last page
/// (page 1 always exists, saying when it is empty).
pub async fn list(
    state: &AppState,
    citizen: CitizenId,
    form: &NoticeFilterForm,
    page: usize,
    lang: Lang,
) -> Result<Option<Listing>, AppError> {
    let filter = filter(form);
    let offset =
        i64::try_from(page.saturating_sub(1).saturating_mul(PAGE_SIZE)).unwrap_or(i64::MAX);
    let size = i64::try_from(PAGE_SIZE).unwrap_or(20);
    let now = now_millis();
    let (found, senders) = state
        .db
        .run(move |c| {
            let Some(addressee) = Addressee::load(c, citizen)? else {
                return Ok(None);
            };
            let found = inbox::page(c, &addressee, &filter, now, size, offset)?;
            let senders = inbox::senders(c, &addressee, filter.folder, now)?;
            Ok(Some((found, senders)))
        })
        .await?
        .ok_or(AppError::SignInRequired)?;
    if found.items.is_empty() && page > 1 {
        return Ok(None);
    }
    Ok(Some(Listing {
        rows: found.items.iter().map(|item| row(item, lang)).collect(),
        total: u64::try_from(found.total).unwrap_or(0),
        senders: senders
            .into_iter()
            .map(|(code, ja, en)| Sender {
                code,
                name: name_in(lang, ja, en),
            })
            .collect(),
    }))
}

/// What opening a notice found.
#[derive(Debug, Clone)]
pub enum Opened {
    /// Shown (and now marked read).
    Shown(InboxItem),
    /// Withdrawn by its agency at this time (milliseconds).
    Withdrawn(InboxItem, i64),
}

/// Who opens a notice, which decides whether it counts as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The citizen it addresses.
    Citizen,
    /// Their proxy allowed to act: it is read, and the proxy is recorded as its reader.
    Proxy(CitizenId),
    /// Their proxy allowed only to view: it stays unread, for the citizen to see as new.
    Viewer,
}

/// The notice `id` for the citizen, marked read on the first opening. A notice that does not address them,
/// or has expired, is 404; a withdrawn one says so.
pub async fn open(
    state: &AppState,
    citizen: CitizenId,
    id: NoticeId,
    reader: Reader,
) -> Result<Opened, AppError> {
    let now = now_millis();
    state
        .db
        .run(move |c| {
            let Some(addressee) = Addressee::load(c, citizen)? else {
                return Ok(None);
            };
            let Some(mut item) = inbox::open(c, &addressee, id)? else {
                return Ok(None);
            };
            if let Some(at) = item.notice.withdrawn_at {
                return Ok(Some(Opened::Withdrawn(item, at)));
            }
            if item.notice.expires_at.is_some_and(|at| at <= now) {
                return Ok(None);
            }
            let read_by = match reader {
                Reader::Citizen => None,
                Reader::Proxy(proxy) => Some(proxy),
                Reader::Viewer => return Ok(Some(Opened::Shown(item))),
            };
            if item.read_at.is_none() {
                inbox::mark_read(c, citizen, id, now, read_by)?;
                item.read_at = Some(now);
            }
            Ok(Some(Opened::Shown(item)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

/// Moves the notice to the citizen's archive, or back to the inbox. Only a notice still shown to them can
/// be moved: anything else is 404.
pub async fn set_archived(
    state: &AppState,
    citizen: CitizenId,
    id: NoticeId,
    archived: bool,
) -> Result<(), AppError> {
    let now = now_millis();
    let moved = state
        .db
        .run(move |c| {
            let Some(addressee) = Addressee::load(c, citizen)? else {
                return Ok(false);
            };
            let Some(item) = inbox::open(c, &addressee, id)? else {
                return Ok(false);
            };
            let notice = &item.notice;
            if notice.withdrawn_at.is_some() || notice.expires_at.is_some_and(|at| at <= now) {
                return Ok(false);
            }
            if archived {
                inbox::archive(c, citizen, id, now)?;
            } else {
                inbox::unarchive(c, citizen, id)?;
            }
            Ok(true)
        })
        .await?;
    if moved {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The agency's name in `lang` (the Japanese name when it has no English one).
fn name_in(lang: Lang, ja: String, en: String) -> String {
    match lang {
        Lang::En if !en.is_empty() => en,
        _ => ja,
    }
}

pub fn agency_name(item: &InboxItem, lang: Lang) -> String {
    name_in(
        lang,
        item.agency_name_ja.clone(),
        item.agency_name_en.clone(),
    )
}

fn japan() -> UtcOffset {
    UtcOffset::from_hms(9, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// `at` (milliseconds) as the day in Japan, `YYYY-MM-DD`.
pub fn japan_date(at: i64) -> String {
    let Ok(when) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000) else {
        return String::new();
    };
    let day = when.to_offset(japan()).date();
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

/// A notice as a row of the list.
pub fn row(item: &InboxItem, lang: Lang) -> NoticeRow {
    let notice = &item.notice;
    NoticeRow {
        id: notice.id.to_string(),
        title: notice.title.clone(),
        lang: notice_lang(&notice.lang).to_owned(),
        agency: agency_name(item, lang),
        posted_on: japan_date(notice.posted_at),
        category: notice.category.clone(),
        important: is_important(&notice.importance),
        unread: item.read_at.is_none(),
        corrected: notice.corrected_at.is_some(),
        deadline: notice.deadline.clone(),
    }
}

/// The notice's language as the `lang` attribute takes it; anything unexpected is taken as Japanese, the
/// language agencies write in by default.
pub fn notice_lang(code: &str) -> &'static str {
    Lang::from_code(code).unwrap_or_default().code()
}

pub fn is_important(code: &str) -> bool {
    Importance::from_code(code) == Some(Importance::High)
}

/// The action link, only when it is a web address: an agency's typo must not become a `javascript:` link.
pub fn action_link(url: Option<&str>, label: Option<&str>) -> Option<(String, String)> {
    let url = url?.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or(url);
    Some((url.to_owned(), label.to_owned()))
}

/// Category codes for the filter, in the portal's order.
pub fn categories() -> Vec<&'static str> {
    NoticeCategory::ALL.iter().map(|c| c.code()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_its_name_in_both_catalogs() {
        for lang in Lang::ALL {
            for code in categories() {
                assert!(
                    lang.get(&format!("notices.category.{code}")).is_some(),
                    "{code} ({})",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn search_words_are_split_on_any_space_and_bounded() {
        let form = NoticeFilterForm {
            words: " 給付金\u{3000}申請  Tax a b c d e f ".into(),
            category: " tax ".into(),
            ..NoticeFilterForm::default()
        };
        let filter = filter(&form);
        assert_eq!(filter.words, ["給付金", "申請", "Tax", "a", "b"]);
        assert_eq!(filter.category.as_deref(), Some("tax"));
        assert_eq!(filter.agency, None);
        assert_eq!(filter.folder, Folder::Inbox);
    }

    #[test]
    fn only_web_addresses_become_action_links() {
        assert_eq!(
            action_link(Some("https://example.go.jp/apply"), Some("申請する")),
            Some(("https://example.go.jp/apply".into(), "申請する".into()))
        );
        assert_eq!(action_link(Some("javascript:alert(1)"), Some("x")), None);
        assert_eq!(
            action_link(Some("http://a.example"), None).map(|(_, l)| l),
            Some("http://a.example".into())
        );
    }

    #[test]
    fn dates_are_days_in_japan() {
        // 2026-11-30T15:00:00Z is already 1 December in Japan.
        assert_eq!(japan_date(1_796_050_800_000), "2026-12-01");
    }
}
