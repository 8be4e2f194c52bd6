//! 申請の処理 in the staff console: the queue of a form's sent applications, and one application with its
//! answers, history and the forms to change its status and to write to the citizen.

use askama::Template;

use crate::Shell;
use crate::components::{FieldErrors, Pagination};
use crate::pages::apply::{AnswerSection, EventRow};

/// The longest message staff write to a citizen about an application (as the citizen's own limit).
pub const MESSAGE_MAX_CHARS: usize = crate::pages::apply::MESSAGE_MAX_CHARS;

/// One sent application in the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueRow {
    pub href: String,
    pub receipt_number: String,
    pub status: String,
    /// When it was sent, in words.
    pub sent: String,
    /// The proxy (代理人) who sent it for the citizen; empty when the citizen did.
    pub proxy: String,
}

/// The queue: pick a form and a status (a GET form: `form`, `status`), then its sent applications, newest
/// first.
///
/// | field  | id (label target) | name     |
/// |--------|-------------------|----------|
/// | form   | `form`            | `form`   |
/// | status | `status`          | `status` |
#[derive(Template)]
#[template(path = "pages/staff_applications.html")]
pub struct StaffApplicationsPage {
    pub shell: Shell,
    /// (form key, title, selected).
    pub forms: Vec<(String, String, bool)>,
    /// The chosen form's title; empty when the agency has no form.
    pub form_title: String,
    /// (code, words, selected); the first is "all" with an empty code.
    pub statuses: Vec<(String, String, bool)>,
    pub rows: Vec<QueueRow>,
    pub pages: Pagination,
}

/// One application as the agency's staff see it.
///
/// | field                       | id (label target) | name      |
/// |-----------------------------|-------------------|-----------|
/// | new status (radios)         | `status`          | `status`  |
/// | message with the change     | `status-message`  | `message` |
/// | fields to correct (boxes)   | `fields`          | `fields`  |
/// | message to the citizen      | `message`         | `message` |
#[derive(Template)]
#[template(path = "pages/staff_application.html")]
pub struct StaffApplicationPage {
    pub shell: Shell,
    pub id: String,
    pub form_title: String,
    pub receipt_number: String,
    pub status: String,
    pub submitted_at: String,
    /// The citizen, by the agency's pseudonym.
    pub citizen: String,
    /// The proxy who sent it for the citizen: (name, the agency's pseudonym for them).
    pub proxy: Option<(String, String)>,
    pub sections: Vec<AnswerSection>,
    /// Attached files: the field's label and the file ("保険証.png（PNG、1 KB）").
    pub attachments: Vec<(String, String)>,
    pub events: Vec<EventRow>,
    /// Signed electronically: (the signer's name, when).
    pub signature: Option<(String, String)>,
    /// The statuses it may move to now: (code, words, hint, checked). Empty: its status is final.
    pub status_options: Vec<(String, String, String, bool)>,
    /// The fields a correction may name: (field id, label, hint, checked).
    pub field_options: Vec<(String, String, String, bool)>,
    /// The status form's message, as typed.
    pub status_message: String,
    /// The message form's message, as typed.
    pub message: String,
    pub errors: FieldErrors,
    /// A banner after a change: the key of its words under `staff.applications.done`.
    pub done: Option<&'static str>,
}

impl StaffApplicationPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn action(&self, what: &str) -> String {
        format!("/staff/applications/{}/{what}", self.id)
    }
}
