//! The staff console's お知らせ area: the agency's notices with their delivery figures, posting one to the
//! agency's residents, and one notice's progress (the fan-out of its alerts, reads) with withdrawing it.

use askama::Template;

use crate::Shell;
use crate::components::FieldErrors;

/// One of the agency's notices in the list.
#[derive(Debug, Clone)]
pub struct NoticeRow {
    pub id: String,
    pub title: String,
    /// YYYY-MM-DD and HH:MM, Japan time.
    pub posted: (String, String),
    /// Counted once its fan-out has gone through everyone.
    pub recipients: Option<i64>,
    pub withdrawn: bool,
}

#[derive(Template)]
#[template(path = "pages/staff_notices.html")]
pub struct StaffNoticesPage {
    pub shell: Shell,
    pub rows: Vec<NoticeRow>,
}

impl StaffNoticesPage {
    pub fn datetime(&self, when: &(String, String)) -> String {
        crate::format::datetime(self.shell.lang, &when.0, &when.1)
    }
}

/// The posting form as typed, kept whole when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    pub title: String,
    pub body: String,
    pub category: String,
    pub importance: String,
    pub min_age: String,
    pub max_age: String,
    pub expires_year: String,
    pub expires_month: String,
    pub expires_day: String,
}

/// Posting a notice. Field ids: `title`, `body`, `category` (first radio), `importance` (first radio),
/// `min_age`, `max_age`, `expires` (the year box).
#[derive(Template)]
#[template(path = "pages/staff_notice_new.html")]
pub struct StaffNoticeNewPage {
    pub shell: Shell,
    pub form: NoticeForm,
    pub errors: FieldErrors,
    /// The agency's area for a municipality ("residents of …"), else everyone.
    pub area: Option<String>,
}

impl StaffNoticeNewPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Where a notice's delivery stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// `alerting` (alerts being queued), `sending` (queued alerts going out), `reminder` (all alerted, the
    /// reminder to come), `done` or `withdrawn`.
    pub stage: &'static str,
    pub recipients: Option<i64>,
    pub read: i64,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
}

impl Delivery {
    /// Still changing: worth refreshing.
    pub fn live(&self) -> bool {
        matches!(self.stage, "alerting" | "sending")
    }

    /// Alerts handled (sent or failed) of all queued so far, for the progress bar.
    pub fn handled(&self) -> i64 {
        self.sent + self.failed
    }

    pub fn total(&self) -> i64 {
        self.queued + self.sent + self.failed
    }
}

/// One notice's progress, with the button to withdraw it.
#[derive(Template)]
#[template(path = "pages/staff_notice.html")]
pub struct StaffNoticePage {
    pub shell: Shell,
    pub id: String,
    pub title: String,
    pub posted: (String, String),
    pub delivery: Delivery,
    /// What just happened (`posted`, `withdrawn`), for the banner.
    pub done: Option<&'static str>,
}

impl StaffNoticePage {
    pub fn datetime(&self, when: &(String, String)) -> String {
        crate::format::datetime(self.shell.lang, &when.0, &when.1)
    }

    pub fn number(&self, n: impl std::borrow::Borrow<i64>) -> String {
        crate::format::grouped(&n.borrow().to_string())
    }

    /// "n of N emails sent", as the script words it too.
    pub fn progress_text(&self) -> String {
        self.shell.tf(
            "staff.notices.progress",
            &[
                ("done", &self.number(self.delivery.handled())),
                ("total", &self.number(self.delivery.total())),
            ],
        )
    }

    pub fn stage_text(&self) -> &'static str {
        self.shell
            .t(&format!("staff.notices.stage.{}", self.delivery.stage))
    }
}
