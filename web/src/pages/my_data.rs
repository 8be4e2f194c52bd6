//! わたしの情報: the overview of every category of the citizen's own data, and one category's records.

use askama::Template;

use crate::components::Pagination;
use crate::format::{self, ValueKind};
use crate::{Lang, Shell};

/// Records shown per page of a category.
pub const PAGE_SIZE: usize = 20;

/// A catalog text named after a code that came from stored data, or the code itself when the catalog has no
/// such entry. [`Lang::t`] would keep every unknown key for good, and codes in stored rows (an agency may
/// record a category it made up) are not bounded.
fn named(lang: Lang, key: String, code: &str) -> String {
    lang.get(&key).unwrap_or(code).to_owned()
}

/// The name of a category (`category.<code>.name`), e.g. 薬剤情報.
pub fn category_name(lang: Lang, code: &str) -> String {
    named(lang, format!("category.{code}.name"), code)
}

/// One line on what a category holds (`category.<code>.description`).
pub fn category_description(lang: Lang, code: &str) -> String {
    named(lang, format!("category.{code}.description"), "")
}

/// The label of a record field (`field.<key>`), e.g. 調剤日.
pub fn field_label(lang: Lang, key: &str) -> String {
    named(lang, format!("field.{key}"), key)
}

/// One category on the overview: how many records the citizen has in it, and the newest update.
#[derive(Debug, Clone)]
pub struct CategorySummary {
    pub code: &'static str,
    pub count: u64,
    /// `YYYY-MM-DD`; `None` when there are no records.
    pub last_updated: Option<String>,
}

/// わたしの情報 (`/my-data`): every category, in the portal's order, with its count and last update; each
/// links to its own page, which says so when it is empty.
#[derive(Template)]
#[template(path = "pages/my_data.html")]
pub struct MyDataPage {
    pub shell: Shell,
    pub categories: Vec<CategorySummary>,
}

impl MyDataPage {
    pub fn name(&self, code: &str) -> String {
        category_name(self.shell.lang, code)
    }

    pub fn description(&self, code: &str) -> String {
        category_description(self.shell.lang, code)
    }

    /// "45件（最終更新日: 2026年11月1日）", or that there is nothing yet.
    pub fn status(&self, category: &CategorySummary) -> String {
        status(
            &self.shell,
            category.count,
            category.last_updated.as_deref(),
        )
    }
}

fn status(shell: &Shell, count: u64, last_updated: Option<&str>) -> String {
    match last_updated {
        Some(date) if count > 0 => shell.lang.tf(
            if count == 1 {
                "my_data.status_one"
            } else {
                "my_data.status"
            },
            &[
                ("count", &format::grouped(&count.to_string())),
                ("date", &format::date(shell.lang, date)),
            ],
        ),
        _ => shell.t("my_data.none").to_owned(),
    }
}

/// One value of a record, with how it is written.
#[derive(Debug, Clone)]
pub struct FieldValue {
    pub kind: ValueKind,
    /// `None` for an optional field the record does not have.
    pub raw: Option<String>,
}

/// One record as a table row: its fields in the category's order, where it came from, and when it changed.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub values: Vec<FieldValue>,
    /// The source agency's name in the page's language.
    pub source: String,
    /// `YYYY-MM-DD`.
    pub updated_on: String,
}

/// One category's records (`/my-data/<code>`): a table with a caption and column headers, 20 rows a page,
/// the links to download them all as CSV or JSON, or a plain statement that there are none.
#[derive(Template)]
#[template(path = "pages/my_data_category.html")]
pub struct RecordsPage {
    pub shell: Shell,
    pub category: &'static str,
    /// Field keys in display order; their labels are the column headers.
    pub fields: Vec<&'static str>,
    pub rows: Vec<RecordRow>,
    /// Records in the category altogether.
    pub total: u64,
    pub last_updated: Option<String>,
    /// From 1.
    pub page: usize,
}

impl RecordsPage {
    pub fn name(&self) -> String {
        category_name(self.shell.lang, self.category)
    }

    pub fn description(&self) -> String {
        category_description(self.shell.lang, self.category)
    }

    pub fn status(&self) -> String {
        status(&self.shell, self.total, self.last_updated.as_deref())
    }

    /// Pages altogether (at least 1).
    pub fn pages(&self) -> usize {
        usize::try_from(self.total)
            .unwrap_or(usize::MAX)
            .div_ceil(PAGE_SIZE)
            .max(1)
    }

    /// The `<title>`: the category, and the page number from page 2 on, so each page's title differs.
    pub fn title(&self) -> String {
        if self.page > 1 {
            self.shell.lang.tf(
                "my_data.category.title_page",
                &[("name", &self.name()), ("page", &self.page.to_string())],
            )
        } else {
            self.name()
        }
    }

    /// The table's caption: the category and which records of how many are shown.
    pub fn caption(&self) -> String {
        let first = (self.page - 1) * PAGE_SIZE + 1;
        let last = first + self.rows.len().saturating_sub(1);
        self.shell.lang.tf(
            "my_data.category.caption",
            &[
                ("name", &self.name()),
                ("total", &format::grouped(&self.total.to_string())),
                ("first", &first.to_string()),
                ("last", &last.to_string()),
            ],
        )
    }

    /// Column headers: the fields, then the source and the last update.
    pub fn head(&self) -> Vec<String> {
        let lang = self.shell.lang;
        let mut head: Vec<String> = self.fields.iter().map(|k| field_label(lang, k)).collect();
        head.push(self.shell.t("my_data.source").to_owned());
        head.push(self.shell.t("my_data.updated_on").to_owned());
        head
    }

    /// The cells of each row, written in the page's language; a missing optional value says so.
    pub fn cells(&self) -> Vec<Vec<String>> {
        let lang = self.shell.lang;
        self.rows
            .iter()
            .map(|row| {
                let mut cells: Vec<String> = row
                    .values
                    .iter()
                    .map(|v| match &v.raw {
                        Some(raw) => format::value(lang, v.kind, raw),
                        None => self.shell.t("my_data.not_recorded").to_owned(),
                    })
                    .collect();
                cells.push(row.source.clone());
                cells.push(format::date(lang, &row.updated_on));
                cells
            })
            .collect()
    }

    pub fn pagination(&self) -> Pagination {
        Pagination::new(self.page, self.pages(), "?page=")
    }

    pub fn csv_href(&self) -> String {
        format!("/my-data/{}.csv", self.category)
    }

    pub fn json_href(&self) -> String {
        format!("/my-data/{}.json", self.category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lang: Lang, total: u64, page: usize, rows: usize) -> RecordsPage {
        RecordsPage {
            shell: Shell {
                lang,
                ..Shell::default()
            },
            category: "prescriptions",
            fields: vec!["dispensed_on", "drug"],
            rows: (0..rows)
                .map(|_| RecordRow {
                    values: vec![
                        FieldValue {
                            kind: ValueKind::Date,
                            raw: Some("2026-04-01".into()),
                        },
                        FieldValue {
                            kind: ValueKind::Text,
                            raw: None,
                        },
                    ],
                    source: "千代田区".into(),
                    updated_on: "2026-04-02".into(),
                })
                .collect(),
            total,
            last_updated: Some("2026-04-02".into()),
            page,
        }
    }

    #[test]
    fn pages_and_caption_count_the_records() {
        let p = page(Lang::En, 45, 3, 5);
        assert_eq!(p.pages(), 3);
        assert!(
            p.caption().contains("41") && p.caption().contains("45"),
            "{}",
            p.caption()
        );
        assert_eq!(page(Lang::En, 0, 1, 0).pages(), 1);
        assert_eq!(page(Lang::En, 40, 1, 20).pages(), 2);
    }

    #[test]
    fn cells_are_written_in_the_language_and_say_what_is_missing() {
        let p = page(Lang::Ja, 1, 1, 1);
        let cells = p.cells();
        assert_eq!(cells[0][0], "2026年4月1日");
        assert_eq!(cells[0][1], Lang::Ja.t("my_data.not_recorded"));
        assert_eq!(cells[0][2], "千代田区");
        assert_eq!(p.head().len(), 4);
    }

    #[test]
    fn unknown_codes_are_shown_as_given() {
        assert_eq!(category_name(Lang::Ja, "made_up"), "made_up");
        assert_eq!(field_label(Lang::En, "x"), "x");
    }
}
