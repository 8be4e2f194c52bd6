//! 情報の登録 in the staff console: the CSV upload form with the agency's recent imports, and a job's page
//! (the preview of a checked file, the progress of its publishing, and what it came to).

use askama::Template;

use crate::Shell;

/// The columns of one category's file: (key, required).
#[derive(Debug, Clone)]
pub struct CategoryColumns {
    pub code: String,
    pub columns: Vec<(String, bool)>,
}

/// One import in the list of recent ones.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub href: String,
    /// YYYY-MM-DD and HH:MM, Japan time.
    pub when: (String, String),
    pub state: String,
    pub done: i64,
    pub total: i64,
}

/// The upload form. Field ids: `category` (the first radio; the others `category-2`…) and `file`. The
/// chosen category is kept when the file is refused; the file's problem is worded by the handler (it may
/// name columns or a line).
#[derive(Template)]
#[template(path = "pages/staff_records.html")]
pub struct StaffRecordsPage {
    pub shell: Shell,
    pub categories: Vec<CategoryColumns>,
    pub chosen: String,
    /// Catalog key of the category's error.
    pub category_error: Option<&'static str>,
    /// The file's error, in words.
    pub file_error: Option<String>,
    pub jobs: Vec<JobRow>,
    pub max_rows: usize,
    pub fixed_columns: Vec<String>,
}

impl StaffRecordsPage {
    pub fn has_errors(&self) -> bool {
        self.category_error.is_some() || self.file_error.is_some()
    }

    pub fn category_options(&self) -> Vec<(String, String, String, bool)> {
        self.categories
            .iter()
            .map(|c| {
                (
                    c.code.clone(),
                    self.shell
                        .t(&format!("category.{}.name", c.code))
                        .to_owned(),
                    String::new(),
                    c.code == self.chosen,
                )
            })
            .collect()
    }

    pub fn category_name(&self, code: &str) -> &'static str {
        self.shell.t(&format!("category.{code}.name"))
    }

    pub fn when(&self, when: &(String, String)) -> String {
        crate::format::datetime(self.shell.lang, &when.0, &when.1)
    }

    pub fn state_text(&self, state: &str) -> &'static str {
        self.shell.t(&format!("staff.jobs.states.{state}"))
    }

    pub fn progress(&self, done: &i64, total: &i64) -> String {
        progress_text(&self.shell, *done, *total)
    }

    pub fn max_rows_text(&self) -> String {
        crate::format::grouped(&self.max_rows.to_string())
    }
}

fn progress_text(shell: &Shell, done: i64, total: i64) -> String {
    shell.tf(
        "staff.jobs.progress",
        &[
            ("done", &crate::format::grouped(&done.to_string())),
            ("total", &crate::format::grouped(&total.to_string())),
        ],
    )
}

/// A row of a file as the job page shows it.
#[derive(Debug, Clone)]
pub struct BadRowView {
    pub line: usize,
    pub record_id: String,
    /// Empty when the row as a whole is at fault.
    pub column: String,
    /// What kind of problem, worded by the catalog (`staff.jobs.reasons.<code>`) when it has words for it.
    pub code: String,
    /// The rules' own words (English, as the API gives them), shown when the catalog has none.
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct GoodRowView {
    pub line: usize,
    pub citizen: String,
    pub record_id: String,
    pub updated_on: String,
    /// In the order of [`StaffJobPage::columns`].
    pub values: Vec<String>,
}

/// A console job: in `preview`, the counts, the refused rows with their line and reason, the first good rows
/// and the buttons to publish or discard; `queued` or `running`, a progress bar (refreshed by a meta refresh
/// without JavaScript, by polling `{id}.json` with it); `done` or `failed`, what it came to.
#[derive(Template)]
#[template(path = "pages/staff_job.html")]
pub struct StaffJobPage {
    pub shell: Shell,
    pub id: String,
    pub state: String,
    /// The category's code and the file's name; empty while the job runs (they are in its payload, which
    /// is not read for a page that refreshes every two seconds).
    pub category: String,
    pub file_name: String,
    pub when: (String, String),
    pub total: i64,
    pub done: i64,
    pub rejected: Vec<BadRowView>,
    /// The field columns of the preview table.
    pub columns: Vec<String>,
    pub preview: Vec<GoodRowView>,
    pub created: usize,
    pub updated: usize,
    pub rejected_at_publish: Vec<BadRowView>,
    pub failure: Option<String>,
    /// The member holds the records role (may start or discard).
    pub may_act: bool,
}

impl StaffJobPage {
    pub fn is_preview(&self) -> bool {
        self.state == "preview"
    }

    pub fn in_progress(&self) -> bool {
        self.state == "queued" || self.state == "running"
    }

    pub fn state_text(&self) -> &'static str {
        self.shell.t(&format!("staff.jobs.states.{}", self.state))
    }

    pub fn progress(&self) -> String {
        progress_text(&self.shell, self.done, self.total)
    }

    pub fn category_name(&self) -> &'static str {
        self.shell.t(&format!("category.{}.name", self.category))
    }

    pub fn when(&self) -> String {
        crate::format::datetime(self.shell.lang, &self.when.0, &self.when.1)
    }

    pub fn count(&self, key: &str, n: impl std::fmt::Display) -> String {
        self.shell.tn(key, crate::format::grouped(&n.to_string()))
    }

    pub fn publish_text(&self) -> String {
        self.shell.tn(
            "staff.jobs.publish",
            crate::format::grouped(&self.total.to_string()),
        )
    }

    /// Why a row was refused, in the page's language when the catalog words that kind of problem.
    pub fn reason(&self, row: &BadRowView) -> String {
        self.shell
            .lang
            .get(&format!("staff.jobs.reasons.{}", row.code))
            .map_or_else(|| row.reason.clone(), str::to_owned)
    }

    pub fn status_url(&self) -> String {
        format!("/staff/jobs/{}.json", self.id)
    }
}
