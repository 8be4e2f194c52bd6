//! The 自己情報取得API's pages for citizens: the consent page an app sends them to (`/oauth/authorize`), the
//! page shown when an app's request is broken beyond sending the citizen back, and 連携中のサービス
//! (`/settings/apps`), where each consent can be revoked.

use askama::Template;

use crate::Shell;

/// The consent page: which app, who runs it, what for, each data item asked for, and how long access lasts;
/// approve or deny. The authorization request's parameters go back with the answer, which the server checks
/// again.
#[derive(Template)]
#[template(path = "pages/oauth_consent.html")]
pub struct ConsentPage {
    pub shell: Shell,
    pub app_name: String,
    /// The company or body that runs the app.
    pub operator: String,
    pub purpose: String,
    /// Scope codes asked for, named through `scope.<code>`.
    pub scopes: Vec<String>,
    /// How many days access lasts.
    pub days: u32,
    /// The last day of access, YYYY-MM-DD (Japan time).
    pub until: String,
    /// The authorization request's parameters, posted back as hidden fields.
    pub request: Vec<(String, String)>,
}

impl ConsentPage {
    /// How long access lasts and its last day, e.g. 90日間（2027年2月24日まで）.
    pub fn period_text(&self) -> String {
        let days = self.days.to_string();
        let until = crate::format::date(self.shell.lang, &self.until);
        self.shell.tf(
            "oauth.consent.period_value",
            &[("days", days.as_str()), ("until", until.as_str())],
        )
    }
}

/// An app's request that cannot be answered by sending the citizen back to it (an unknown app, or a
/// return address it did not register): the citizen is told, and not redirected anywhere.
#[derive(Template)]
#[template(path = "pages/oauth_error.html")]
pub struct AuthorizeErrorPage {
    pub shell: Shell,
    /// Catalog key of the reason (`oauth.error.*`).
    pub reason_key: &'static str,
}

/// One app the citizen consented to.
#[derive(Debug, Clone)]
pub struct ConnectedApp {
    pub consent_id: String,
    pub name: String,
    pub operator: String,
    pub purpose: String,
    /// Scope codes granted.
    pub scopes: Vec<String>,
    /// YYYY-MM-DD, Japan time.
    pub granted_on: String,
    /// The last day of access, YYYY-MM-DD.
    pub until: String,
    /// When it last read the citizen's data: YYYY-MM-DD and HH:MM, Japan time.
    pub last_read: Option<(String, String)>,
}

/// 連携中のサービス: every live consent with a button that revokes it.
#[derive(Template)]
#[template(path = "pages/connected_apps.html")]
pub struct ConnectedAppsPage {
    pub shell: Shell,
    pub apps: Vec<ConnectedApp>,
    /// The name of the app whose consent was just revoked.
    pub revoked: Option<String>,
}

impl ConnectedAppsPage {
    pub fn date(&self, raw: &str) -> String {
        crate::format::date(self.shell.lang, raw)
    }

    pub fn datetime(&self, (date, time): &(String, String)) -> String {
        crate::format::datetime(self.shell.lang, date, time)
    }
}
