//! お知らせ: the citizen's inbox of notices from agencies (and its archive), and one notice.

use askama::Template;

use crate::components::Pagination;
use crate::shell::encode_query_value;
use crate::{Lang, Shell, format};

/// Notices shown per page of the inbox.
pub const PAGE_SIZE: usize = 20;

/// The longest search text taken, in characters; more is cut off rather than refused.
pub const WORDS_MAX_CHARS: usize = 100;

/// The name of a notice category (`notices.category.<code>`), or the code itself for one the catalog does not
/// know.
pub fn category_name(lang: Lang, code: &str) -> String {
    lang.get(&format!("notices.category.{code}"))
        .unwrap_or(code)
        .to_owned()
}

/// The inbox filter as typed (a GET form, so a filtered inbox can be bookmarked and works without
/// JavaScript).
///
/// | field    | id (label target) | name       |
/// |----------|-------------------|------------|
/// | unread   | `unread`          | `unread`   |
/// | agency   | `agency`          | `agency`   |
/// | category | `category`        | `category` |
/// | words    | `words`           | `words`    |
///
/// `view` is `archive` for the archive (a link, not a field), anything else for the inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct NoticeFilterForm {
    pub view: String,
    /// `1` when only unread notices are wanted.
    pub unread: String,
    /// Agency code.
    pub agency: String,
    /// Category code.
    pub category: String,
    pub words: String,
}

impl NoticeFilterForm {
    pub fn is_archive(&self) -> bool {
        self.view == "archive"
    }

    pub fn unread_only(&self) -> bool {
        self.unread == "1"
    }

    /// The narrowing part of the query string (`unread=1&agency=nta…`), without the view or the page; empty
    /// fields are left out.
    fn filter_query(&self) -> String {
        let unread = if self.unread_only() { "1" } else { "" };
        [
            ("unread", unread),
            ("agency", self.agency.trim()),
            ("category", self.category.trim()),
            ("words", self.words.trim()),
        ]
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The whole query string (view and filter), without the page: for the pagination links.
    pub fn query(&self) -> String {
        let filter = self.filter_query();
        match (self.is_archive(), filter.is_empty()) {
            (false, _) => filter,
            (true, true) => "view=archive".to_owned(),
            (true, false) => format!("view=archive&{filter}"),
        }
    }

    /// Whether anything narrows the list (the view does not count: it is where the citizen is).
    pub fn is_filtered(&self) -> bool {
        !self.filter_query().is_empty()
    }
}

/// An agency that has sent the citizen notices, for the filter's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub code: String,
    /// In the page's language.
    pub name: String,
}

/// One notice in the inbox list, ready to show.
#[derive(Debug, Clone, Default)]
pub struct NoticeRow {
    pub id: String,
    pub title: String,
    /// The language the agency wrote the notice in (`ja` or `en`).
    pub lang: String,
    /// The sending agency's name in the page's language.
    pub agency: String,
    /// Day posted in Japan, `YYYY-MM-DD`.
    pub posted_on: String,
    /// Category code.
    pub category: String,
    pub important: bool,
    pub unread: bool,
    pub corrected: bool,
    /// `YYYY-MM-DD`.
    pub deadline: Option<String>,
}

/// お知らせ (`/notices`): the views (inbox, archive), the filter form (unread only, agency, category, words),
/// then the notices newest first, 20 a page with numbered pages that keep the filter. Each notice says in
/// words whether it is unread, important or corrected. When nothing is listed, the page says whether that is
/// because there are no notices or because of the filter.
#[derive(Template)]
#[template(path = "pages/notices.html")]
pub struct NoticesPage {
    pub shell: Shell,
    pub form: NoticeFilterForm,
    pub senders: Vec<Sender>,
    /// Category codes for the category select, in the portal's order.
    pub categories: Vec<&'static str>,
    pub rows: Vec<NoticeRow>,
    /// Notices the filter matches altogether.
    pub total: u64,
    /// From 1.
    pub page: usize,
}

impl NoticesPage {
    fn view_name(&self) -> &'static str {
        if self.form.is_archive() {
            self.shell.t("notices.archive.title")
        } else {
            self.shell.t("notices.title")
        }
    }

    /// The `<title>`: the view, then the page number from page 2 on.
    pub fn title(&self) -> String {
        let name = self.view_name();
        let titled = if self.form.is_archive() {
            format!("{name} - {}", self.shell.t("notices.title"))
        } else {
            name.to_owned()
        };
        if self.page > 1 {
            self.shell.lang.tf(
                "notices.title_page",
                &[("name", &titled), ("page", &self.page.to_string())],
            )
        } else {
            titled
        }
    }

    pub fn heading(&self) -> &'static str {
        self.view_name()
    }

    /// Where the filter form sends: the same view.
    pub fn action(&self) -> &'static str {
        "/notices"
    }

    pub fn is_archive(&self) -> bool {
        self.form.is_archive()
    }

    /// The agency select: "all", then every agency that has sent the citizen notices.
    pub fn agency_options(&self) -> Vec<(String, String, bool)> {
        let mut options = vec![(
            String::new(),
            self.shell.t("notices.filter.all").to_owned(),
            self.form.agency.is_empty(),
        )];
        options.extend(self.senders.iter().map(|s| {
            (
                s.code.clone(),
                s.name.clone(),
                s.code == self.form.agency.trim(),
            )
        }));
        options
    }

    /// The category select: "all", then every category.
    pub fn category_options(&self) -> Vec<(String, String, bool)> {
        let lang = self.shell.lang;
        let mut options = vec![(
            String::new(),
            self.shell.t("notices.filter.all").to_owned(),
            self.form.category.is_empty(),
        )];
        options.extend(self.categories.iter().map(|code| {
            (
                (*code).to_owned(),
                category_name(lang, code),
                *code == self.form.category.trim(),
            )
        }));
        options
    }

    pub fn category(&self, code: &str) -> String {
        category_name(self.shell.lang, code)
    }

    /// What the visible tags of a row say, for screen readers at the start of its link: "未読、重要：".
    pub fn status_text(&self, row: &NoticeRow) -> String {
        let words: Vec<&str> = [
            (row.unread, "notices.status.unread"),
            (row.important, "notices.status.important"),
            (row.corrected, "notices.status.corrected"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, key)| self.shell.t(key))
        .collect();
        self.shell.tv(
            "notices.status.prefix",
            "status",
            words.join(self.shell.t("notices.status.separator")),
        )
    }

    pub fn date(&self, raw: &str) -> String {
        format::date(self.shell.lang, raw)
    }

    pub fn pages(&self) -> usize {
        usize::try_from(self.total)
            .unwrap_or(usize::MAX)
            .div_ceil(PAGE_SIZE)
            .max(1)
    }

    pub fn pagination(&self) -> Pagination {
        let query = self.form.query();
        let prefix = if query.is_empty() {
            "?page=".to_owned()
        } else {
            format!("?{query}&page=")
        };
        Pagination::new(self.page, self.pages(), &prefix)
    }

    /// "3件中 1〜3件目" / "Notices 1 to 3 of 3".
    pub fn showing(&self) -> String {
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = first + self.rows.len().saturating_sub(1);
        self.shell.lang.tf(
            "notices.results.showing",
            &[
                ("first", &first.to_string()),
                ("last", &last.to_string()),
                ("total", &format::grouped(&self.total.to_string())),
            ],
        )
    }

    /// The link that clears the filter and stays in the view.
    pub fn clear_href(&self) -> &'static str {
        if self.form.is_archive() {
            "/notices?view=archive"
        } else {
            "/notices"
        }
    }

    /// Why nothing is listed: nothing matches the filter, or there is nothing in this view at all.
    pub fn empty_text(&self) -> &'static str {
        match (self.form.is_filtered(), self.form.is_archive()) {
            (true, _) => self.shell.t("notices.results.none_filtered"),
            (false, false) => self.shell.t("notices.results.none"),
            (false, true) => self.shell.t("notices.results.none_archived"),
        }
    }
}

/// A piece of a line of a notice's body: plain text, or an http(s) address shown as a link to itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Link(String),
}

/// A notice's body as paragraphs (split on blank lines) of lines (split on single line breaks) of segments.
/// Only structure is taken from the text: everything is escaped when shown.
pub fn body_paragraphs(body: &str) -> Vec<Vec<Vec<Segment>>> {
    let body = body.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut current: Vec<Vec<Segment>> = Vec::new();
    for line in body.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(segments(line.trim_end()));
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    paragraphs
}

/// Whether `c` may appear in an address as written in running text: the URL characters of RFC 3986, except
/// the quote, which more often ends a quotation than belongs to an address.
fn url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&()*+,;=%".contains(c)
}

/// `line` split into text and http(s) addresses. An address ends at the first character that cannot be in
/// one (a space, Japanese text); punctuation that ends a sentence and a closing bracket without its opening
/// one are left out of it.
fn segments(line: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while at < line.len() {
        let rest = &line[at..];
        let scheme = ["https://", "http://"].into_iter().find(|s| {
            rest.len() > s.len()
                && rest
                    .get(..s.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(s))
        });
        let starts_word = line[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if let (Some(scheme), true) = (scheme, starts_word) {
            let length: usize = rest
                .chars()
                .take_while(|c| url_char(*c))
                .map(char::len_utf8)
                .sum();
            let url = trim_url(&rest[..length]);
            if url.len() > scheme.len() {
                if text_start < at {
                    out.push(Segment::Text(line[text_start..at].to_owned()));
                }
                out.push(Segment::Link(url.to_owned()));
                at += url.len();
                text_start = at;
                continue;
            }
        }
        at += rest.chars().next().map_or(1, char::len_utf8);
    }
    if text_start < line.len() {
        out.push(Segment::Text(line[text_start..].to_owned()));
    }
    out
}

fn trim_url(mut url: &str) -> &str {
    loop {
        let Some(last) = url.chars().next_back() else {
            return url;
        };
        let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
        if ".,;:!?".contains(last) || unbalanced {
            url = &url[..url.len() - 1];
        } else {
            return url;
        }
    }
}

/// One notice (`/notices/<id>`): the title and body in the notice's own language (`lang` on their element),
/// the sender, dates, category, importance and deadline in the page's; a link to act on it, the archive (or
/// back-to-inbox) button, and a banner after either.
#[derive(Template)]
#[template(path = "pages/notice.html")]
pub struct NoticePage {
    pub shell: Shell,
    pub id: String,
    pub title: String,
    /// The language the agency wrote in (`ja` or `en`).
    pub lang: String,
    pub body: String,
    pub agency: String,
    /// `YYYY-MM-DD` in Japan.
    pub posted_on: String,
    /// When the agency corrected it, `YYYY-MM-DD` in Japan.
    pub corrected_on: Option<String>,
    pub category: String,
    pub important: bool,
    pub deadline: Option<String>,
    /// Where to act on it (an agency's own service), and the link's text.
    pub action: Option<(String, String)>,
    pub archived: bool,
    /// What was just done, for the banner: `archived` or `unarchived`.
    pub done: Option<&'static str>,
}

impl NoticePage {
    pub fn paragraphs(&self) -> Vec<Vec<Vec<Segment>>> {
        body_paragraphs(&self.body)
    }

    pub fn date(&self, raw: &str) -> String {
        format::date(self.shell.lang, raw)
    }

    pub fn category_name(&self) -> String {
        category_name(self.shell.lang, &self.category)
    }

    /// The facts about the notice in the page's language: (label, value, no change link).
    pub fn details(&self) -> Vec<(&'static str, String, &'static str)> {
        let t = |key| self.shell.t(key);
        let mut rows = vec![
            (t("notices.label.agency"), self.agency.clone(), ""),
            (t("notices.label.posted"), self.date(&self.posted_on), ""),
        ];
        if let Some(corrected) = &self.corrected_on {
            rows.push((t("notices.label.corrected"), self.date(corrected), ""));
        }
        rows.push((t("notices.label.category"), self.category_name(), ""));
        rows.push((
            t("notices.label.importance"),
            self.importance().to_owned(),
            "",
        ));
        if let Some(deadline) = &self.deadline {
            rows.push((t("notices.label.deadline"), self.date(deadline), ""));
        }
        rows
    }

    pub fn importance(&self) -> &'static str {
        if self.important {
            self.shell.t("notices.importance.high")
        } else {
            self.shell.t("notices.importance.normal")
        }
    }

    pub fn archive_action(&self) -> String {
        format!("/notices/{}/archive", self.id)
    }

    pub fn unarchive_action(&self) -> String {
        format!("/notices/{}/unarchive", self.id)
    }

    /// Back to the list the notice is in.
    pub fn back_href(&self) -> &'static str {
        if self.archived {
            "/notices?view=archive"
        } else {
            "/notices"
        }
    }

    pub fn back_text(&self) -> &'static str {
        if self.archived {
            self.shell.t("notices.back_archive")
        } else {
            self.shell.t("notices.back")
        }
    }

    /// The banner's text after archiving or bringing back, if that is what just happened.
    pub fn done_text(&self) -> Option<&'static str> {
        match self.done {
            Some("archived") => Some(self.shell.t("notices.done.archived")),
            Some("unarchived") => Some(self.shell.t("notices.done.unarchived")),
            _ => None,
        }
    }
}

/// A notice its agency has withdrawn (410): what it was, who withdrew it and when.
#[derive(Template)]
#[template(path = "pages/notice_withdrawn.html")]
pub struct NoticeWithdrawnPage {
    pub shell: Shell,
    pub title: String,
    pub lang: String,
    pub agency: String,
    /// `YYYY-MM-DD` in Japan.
    pub withdrawn_on: String,
}

impl NoticeWithdrawnPage {
    pub fn explanation(&self) -> String {
        self.shell.lang.tf(
            "notices.withdrawn.body",
            &[
                ("agency", &self.agency),
                ("date", &format::date(self.shell.lang, &self.withdrawn_on)),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> Segment {
        Segment::Link(url.into())
    }

    fn text(s: &str) -> Segment {
        Segment::Text(s.into())
    }

    #[test]
    fn paragraphs_split_on_blank_lines_and_lines_on_breaks() {
        let body = "一行目\r\n二行目\n\n  \n次の段落\n";
        assert_eq!(
            body_paragraphs(body),
            vec![
                vec![vec![text("一行目")], vec![text("二行目")]],
                vec![vec![text("次の段落")]],
            ]
        );
        assert!(body_paragraphs("\n\n").is_empty());
        assert_eq!(
            body_paragraphs("本文です。"),
            vec![vec![vec![text("本文です。")]]]
        );
    }

    #[test]
    fn addresses_become_links_without_the_text_around_them() {
        assert_eq!(
            segments("詳しくはhttps://example.jp/a?b=1&c=2をご覧ください。"),
            vec![
                text("詳しくは"),
                link("https://example.jp/a?b=1&c=2"),
                text("をご覧ください。")
            ]
        );
        assert_eq!(
            segments("See (http://example.org/x_(y)). Or HTTPS://EXAMPLE.ORG, then"),
            vec![
                text("See ("),
                link("http://example.org/x_(y)"),
                text("). Or "),
                link("HTTPS://EXAMPLE.ORG"),
                text(", then"),
            ]
        );
        assert_eq!(
            segments("no link: https:// or xhttps://a.b or javascript:alert(1)"),
            vec![text(
                "no link: https:// or xhttps://a.b or javascript:alert(1)"
            )]
        );
        assert_eq!(
            segments("<script>https://a.example/\"onmouseover=x</script>"),
            vec![
                text("<script>"),
                link("https://a.example/"),
                text("\"onmouseover=x</script>"),
            ]
        );
    }

    #[test]
    fn the_filter_round_trips_through_the_address() {
        let form = NoticeFilterForm {
            view: "archive".into(),
            unread: "1".into(),
            category: "tax".into(),
            words: " 給付 & 金 ".into(),
            ..NoticeFilterForm::default()
        };
        assert_eq!(
            form.query(),
            "view=archive&unread=1&category=tax&words=%E7%B5%A6%E4%BB%98%20%26%20%E9%87%91"
        );
        assert!(form.is_filtered());
        let archive_only = NoticeFilterForm {
            view: "archive".into(),
            unread: "yes".into(),
            ..NoticeFilterForm::default()
        };
        assert_eq!(archive_only.query(), "view=archive");
        assert!(!archive_only.is_filtered());
    }
}
