//! The agency staff console: signing in (login and password, then the authenticator app's code), the
//! console's home, and the audit log. Each area (notices, records, applications, payments) has its own
//! module.

use askama::Template;

use crate::Shell;
use crate::components::{FieldErrors, Pagination};

/// The first step of signing in. Field ids: `login`, `password`. The password is never sent back.
#[derive(Template)]
#[template(path = "pages/staff_sign_in.html")]
pub struct StaffSignInPage {
    pub shell: Shell,
    pub login: String,
    pub errors: FieldErrors,
    /// The login is locked after repeated failures (the page says for how long).
    pub locked: bool,
}

impl StaffSignInPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.locked
    }
}

/// The second step: the code from the authenticator app. Field id `code`.
#[derive(Template)]
#[template(path = "pages/staff_code.html")]
pub struct StaffCodePage {
    pub shell: Shell,
    pub errors: FieldErrors,
}

impl StaffCodePage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The console's home: what the member can do, by role.
#[derive(Template)]
#[template(path = "pages/staff_home.html")]
pub struct StaffHomePage {
    pub shell: Shell,
    pub name: String,
    pub agency: String,
}

impl StaffHomePage {
    /// The areas the member's roles open: (href, title, description).
    pub fn areas(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let roles = self
            .shell
            .staff
            .as_ref()
            .map(|s| s.roles.clone())
            .unwrap_or_default();
        crate::shell::STAFF_AREAS
            .iter()
            .filter(|(role, _, _)| roles.iter().any(|r| r == role))
            .map(|(role, href, key)| {
                (
                    *href,
                    self.shell.t(key),
                    self.shell.t(&format!("staff.home.{role}")),
                )
            })
            .collect()
    }
}

/// One entry of the audit log, as shown.
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// YYYY-MM-DD and HH:MM, Japan time.
    pub when: (String, String),
    pub who: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// 操作記録: every action of the agency's staff, newest first.
#[derive(Template)]
#[template(path = "pages/staff_audit.html")]
pub struct StaffAuditPage {
    pub shell: Shell,
    pub rows: Vec<AuditRow>,
    pub pages: Pagination,
}

impl StaffAuditPage {
    pub fn when(&self, when: &(String, String)) -> String {
        crate::format::datetime(self.shell.lang, &when.0, &when.1)
    }

    /// The action in words; an action the catalog does not know is shown as recorded.
    pub fn action(&self, code: &str) -> String {
        self.shell
            .lang
            .get(&format!("staff.audit.action.{code}"))
            .map_or_else(|| code.to_owned(), str::to_owned)
    }
}
