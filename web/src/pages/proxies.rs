//! 代理人 (proxies): the page listing the proxies a citizen named and those they act for, naming one (the
//! form, then the one-time code), and accepting an invitation (the code, then a confirmation).

use askama::Template;

use crate::Shell;
use crate::components::FieldErrors;

/// One proxy relation, seen from either side.
#[derive(Debug, Clone)]
pub struct ProxyRow {
    pub id: String,
    /// The other person's name; `None` while an invitation waits to be accepted.
    pub name: Option<String>,
    /// `read` or `act`.
    pub scope: String,
    /// The last day, YYYY-MM-DD.
    pub ends_on: String,
    /// `waiting`, `in_force`, `ended`, `lapsed` (past its last day) or `expired` (invitation not accepted).
    pub state: &'static str,
}

impl ProxyRow {
    pub fn running(&self) -> bool {
        matches!(self.state, "waiting" | "in_force")
    }
}

/// 代理人の設定: both lists, with a button to end each running one the citizen named, and to act for each
/// person they are proxy for.
#[derive(Template)]
#[template(path = "pages/proxies.html")]
pub struct ProxiesPage {
    pub shell: Shell,
    /// The proxies the citizen named (and invitations they sent).
    pub given: Vec<ProxyRow>,
    /// The people the citizen is proxy for.
    pub held: Vec<ProxyRow>,
    /// What just happened, for the success banner: `accepted`, `ended` or `stopped`, with the name.
    pub done: Option<(&'static str, String)>,
}

impl ProxiesPage {
    pub fn date(&self, raw: &str) -> String {
        crate::format::date(self.shell.lang, raw)
    }

    pub fn done_text(&self) -> String {
        match &self.done {
            Some((what, name)) => self.shell.tv(&format!("proxies.done.{what}"), "name", name),
            None => String::new(),
        }
    }
}

/// The naming form as typed, kept whole when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProxyForm {
    pub scope: String,
    pub ends_year: String,
    pub ends_month: String,
    pub ends_day: String,
}

impl ProxyForm {
    /// The last day as YYYY-MM-DD when every part is a number; empty when nothing was typed; as typed
    /// otherwise (refused as not a date).
    pub fn ends_on(&self) -> String {
        crate::format::date_from_parts(&self.ends_year, &self.ends_month, &self.ends_day)
    }
}

/// Naming a proxy: the scope and the last day. Field ids: `scope` (first radio), `ends_on` (the day box).
#[derive(Template)]
#[template(path = "pages/proxy_new.html")]
pub struct ProxyNewPage {
    pub shell: Shell,
    pub form: ProxyForm,
    pub errors: FieldErrors,
}

impl ProxyNewPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The one-time code, shown once, to give to the proxy in person.
#[derive(Template)]
#[template(path = "pages/proxy_code.html")]
pub struct ProxyCodePage {
    pub shell: Shell,
    pub code: String,
    pub scope: String,
    pub ends_on: String,
    /// The last day the code can be accepted, YYYY-MM-DD.
    pub expires_on: String,
}

/// The words for a scope (`read` or `act`).
fn scope_text(shell: &Shell, scope: &str) -> &'static str {
    shell.t(&format!("proxies.scope_{scope}"))
}

impl ProxyCodePage {
    pub fn scope_text(&self) -> &'static str {
        scope_text(&self.shell, &self.scope)
    }

    pub fn date(&self, raw: &str) -> String {
        crate::format::date(self.shell.lang, raw)
    }

    /// The code with its characters spaced for a screen reader to spell out.
    pub fn spelled(&self) -> String {
        self.code
            .chars()
            .filter(|c| *c != '-')
            .map(String::from)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Accepting an invitation: the code. Field id `code`.
#[derive(Template)]
#[template(path = "pages/proxy_accept.html")]
pub struct ProxyAcceptPage {
    pub shell: Shell,
    pub code: String,
    pub errors: FieldErrors,
}

impl ProxyAcceptPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Whose proxy the code makes the citizen, to confirm before accepting.
#[derive(Template)]
#[template(path = "pages/proxy_confirm.html")]
pub struct ProxyConfirmPage {
    pub shell: Shell,
    pub code: String,
    pub principal_name: String,
    pub scope: String,
    pub ends_on: String,
}

impl ProxyConfirmPage {
    pub fn scope_text(&self) -> &'static str {
        scope_text(&self.shell, &self.scope)
    }

    pub fn date(&self, raw: &str) -> String {
        crate::format::date(self.shell.lang, raw)
    }
}
