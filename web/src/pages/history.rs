//! やりとり履歴: who read the citizen's data, when, from whom, which items, for which task, and the outcome.

use askama::Template;

use super::my_data::category_name;
use crate::components::{FieldErrors, Pagination};
use crate::shell::encode_query_value;
use crate::{Lang, Shell, format};

/// Rows shown per page.
pub const PAGE_SIZE: usize = 20;

/// The filter as typed (a GET form, so the address can be bookmarked), kept as typed when it has errors.
///
/// | field        | id (error summary target) | names                                   |
/// |--------------|---------------------------|-----------------------------------------|
/// | period from  | `from` (its year input)   | `from_year`, `from_month`, `from_day`   |
/// | period to    | `to` (its year input)     | `to_year`, `to_month`, `to_day`         |
/// | requester    | `requester` (select)      | `requester`                             |
/// | category     | `category` (select)       | `category`                              |
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct HistoryFilterForm {
    pub from_year: String,
    pub from_month: String,
    pub from_day: String,
    pub to_year: String,
    pub to_month: String,
    pub to_day: String,
    pub requester: String,
    pub category: String,
}

impl HistoryFilterForm {
    /// The filter as a query string (`from_year=2026&…`), without the page: for the pagination links and the
    /// CSV download. Empty fields are left out.
    pub fn query(&self) -> String {
        [
            ("from_year", &self.from_year),
            ("from_month", &self.from_month),
            ("from_day", &self.from_day),
            ("to_year", &self.to_year),
            ("to_month", &self.to_month),
            ("to_day", &self.to_day),
            ("requester", &self.requester),
            ("category", &self.category),
        ]
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(name, value)| format!("{name}={}", encode_query_value(value.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// Whether anything narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.query().is_empty()
    }
}

/// Someone who has read the citizen's data, for the filter's list.
#[derive(Debug, Clone)]
pub struct Requester {
    /// Agency code, app client id or the proxy's citizen id.
    pub id: String,
    /// Their name in the page's language.
    pub name: String,
}

/// One row of the history, ready to show.
#[derive(Debug, Clone, Default)]
pub struct HistoryEntry {
    /// In Japan time: `YYYY-MM-DD` and `HH:MM`.
    pub date: String,
    pub time: String,
    /// Details withheld under the law (不開示): only the time is shown.
    pub withheld: bool,
    pub requester_name: String,
    /// `agency`, `app` or `proxy`.
    pub requester_kind: String,
    /// For an agency: its kind (`municipality`, `insurer`…), which says more than "an agency".
    pub agency_kind: Option<String>,
    /// Names of the agencies whose records were read, in the page's language.
    pub providers: Vec<String>,
    /// Category codes read.
    pub items: Vec<String>,
    /// A known task (事務) code: its name and plain-language explanation are shown.
    pub task: Option<String>,
    /// The stated purpose (apps and proxies), or an unknown task code as recorded.
    pub purpose: String,
    /// `provided`, `no_data` or `refused`.
    pub result: String,
}

/// Words for a history row in a language: shared by the page and the CSV download.
pub struct EntryText<'a> {
    pub lang: Lang,
    pub entry: &'a HistoryEntry,
}

impl EntryText<'_> {
    fn get_or(&self, key: String, fallback: &str) -> String {
        self.lang.get(&key).unwrap_or(fallback).to_owned()
    }

    pub fn when(&self) -> String {
        format::datetime(self.lang, &self.entry.date, &self.entry.time)
    }

    /// "千代田区（市区町村）": the name, and what sort of requester it is.
    pub fn requester(&self) -> String {
        let e = self.entry;
        let role = match &e.agency_kind {
            Some(kind) => self.get_or(format!("agency_kind.{kind}"), kind),
            None => self.get_or(
                format!("history.requester_kind.{}", e.requester_kind),
                &e.requester_kind,
            ),
        };
        self.lang.tf(
            "history.requester_with_role",
            &[("name", &e.requester_name), ("role", &role)],
        )
    }

    pub fn providers(&self) -> String {
        if self.entry.providers.is_empty() {
            return self.lang.t("history.none").to_owned();
        }
        self.entry
            .providers
            .join(self.lang.t("history.list_separator"))
    }

    pub fn items(&self) -> String {
        if self.entry.items.is_empty() {
            return self.lang.t("history.none").to_owned();
        }
        self.entry
            .items
            .iter()
            .map(|code| category_name(self.lang, code))
            .collect::<Vec<_>>()
            .join(self.lang.t("history.list_separator"))
    }

    /// The task's name, or the purpose as recorded.
    pub fn task_name(&self) -> String {
        match &self.entry.task {
            Some(code) => self.get_or(format!("task.{code}.name"), code),
            None if self.entry.purpose.is_empty() => self.lang.t("history.none").to_owned(),
            None => self.entry.purpose.clone(),
        }
    }

    /// What the agency does with the data, in plain words; empty for a purpose stated by an app or proxy.
    pub fn task_explanation(&self) -> String {
        match &self.entry.task {
            Some(code) => self.get_or(format!("task.{code}.description"), ""),
            None => String::new(),
        }
    }

    pub fn result(&self) -> String {
        self.get_or(
            format!("history.result.{}", self.entry.result),
            &self.entry.result,
        )
    }
}

/// やりとり履歴 (`/history`): the filter form (period, who asked, category), then the rows newest first, 20 a
/// page with previous/next links that keep the filter, and the CSV download of everything the filter matches.
/// A bad date re-renders the form with the error summary and the message by the field, keeping what was typed.
#[derive(Template)]
#[template(path = "pages/history.html")]
pub struct HistoryPage {
    pub shell: Shell,
    pub form: HistoryFilterForm,
    pub errors: FieldErrors,
    pub requesters: Vec<Requester>,
    /// Category codes for the category select, in the portal's order.
    pub categories: Vec<&'static str>,
    pub entries: Vec<HistoryEntry>,
    /// From 1.
    pub page: usize,
    pub has_next: bool,
}

impl HistoryPage {
    /// Whether the page shows errors (its title then starts with "エラー: ").
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn text<'a>(&self, entry: &'a HistoryEntry) -> EntryText<'a> {
        EntryText {
            lang: self.shell.lang,
            entry,
        }
    }

    /// The `<title>`, with the page number from page 2 on.
    pub fn title(&self) -> String {
        if self.page > 1 {
            self.shell
                .tv("history.title_page", "page", self.page.to_string())
        } else {
            self.shell.t("history.title").to_owned()
        }
    }

    /// The requester select: "all", then everyone who has read the citizen's data.
    pub fn requester_options(&self) -> Vec<(String, String, bool)> {
        let mut options = vec![(
            String::new(),
            self.shell.t("history.filter.all").to_owned(),
            self.form.requester.is_empty(),
        )];
        options.extend(
            self.requesters
                .iter()
                .map(|r| (r.id.clone(), r.name.clone(), r.id == self.form.requester)),
        );
        options
    }

    /// The category select: "all", then every category.
    pub fn category_options(&self) -> Vec<(String, String, bool)> {
        let lang = self.shell.lang;
        let mut options = vec![(
            String::new(),
            self.shell.t("history.filter.all").to_owned(),
            self.form.category.is_empty(),
        )];
        options.extend(self.categories.iter().map(|code| {
            (
                (*code).to_owned(),
                category_name(lang, code),
                *code == self.form.category,
            )
        }));
        options
    }

    fn with_query(&self, path: &str) -> String {
        let query = self.form.query();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    pub fn pagination(&self) -> Pagination {
        let query = self.form.query();
        let prefix = if query.is_empty() {
            "?page=".to_owned()
        } else {
            format!("?{query}&page=")
        };
        Pagination::sequential(self.page, self.has_next, &prefix)
    }

    pub fn csv_href(&self) -> String {
        self.with_query("/history.csv")
    }

    /// Which rows are shown, when there is more than one page.
    pub fn showing(&self) -> String {
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = first + self.entries.len().saturating_sub(1);
        self.shell.lang.tf(
            "history.results.showing",
            &[("first", &first.to_string()), ("last", &last.to_string())],
        )
    }

    /// Whether to say which rows are shown: only when the list runs over more than one page.
    pub fn is_paged(&self) -> bool {
        self.page > 1 || self.has_next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_round_trips_through_the_address() {
        let form = HistoryFilterForm {
            from_year: "2026".into(),
            from_month: " 4".into(),
            requester: "a&b".into(),
            category: "income_tax".into(),
            ..HistoryFilterForm::default()
        };
        assert_eq!(
            form.query(),
            "from_year=2026&from_month=4&requester=a%26b&category=income_tax"
        );
        assert!(!HistoryFilterForm::default().is_filtered());
    }

    #[test]
    fn withheld_and_unknown_values_are_shown_safely() {
        let entry = HistoryEntry {
            requester_name: "家計簿アプリ".into(),
            requester_kind: "app".into(),
            items: vec!["income_tax".into(), "made_up".into()],
            task: None,
            purpose: "家計の管理".into(),
            result: "provided".into(),
            ..HistoryEntry::default()
        };
        let text = EntryText {
            lang: Lang::Ja,
            entry: &entry,
        };
        assert!(text.requester().starts_with("家計簿アプリ"));
        assert!(text.items().ends_with("made_up"));
        assert_eq!(text.task_name(), "家計の管理");
        assert_eq!(text.task_explanation(), "");
        assert_eq!(text.providers(), Lang::Ja.t("history.none"));
    }
}
