use crate::Lang;

/// What every page needs besides its own content: language, CSP nonce, the CSRF token for its forms and the
/// current path (so the language switch can bring the user back to the same page).
#[derive(Debug, Clone, Default)]
pub struct Shell {
    pub lang: Lang,
    /// Nonce for the one inline script that marks the page as JS-enabled (CSP has no 'unsafe-inline').
    pub nonce: String,
    /// Double-submit CSRF token: each POST form carries it in a hidden `csrf_token` field.
    pub csrf_token: String,
    /// Path and query of this request, for the language switch's return address.
    pub path: String,
    pub version: &'static str,
    /// The signed-in citizen, when there is one: the header then offers sign-out, and the page schedules the
    /// idle time-out warning.
    pub session: Option<SessionView>,
    /// A member of agency staff signed in to the console: the header names them and their agency, and the
    /// navigation is the console's.
    pub staff: Option<StaffView>,
}

/// What the console's pages show of the member of staff signed in.
#[derive(Debug, Clone, Default)]
pub struct StaffView {
    pub name: String,
    /// Their agency's name.
    pub agency: String,
    /// The roles they hold (`notices`, `records`, `applications`, `payments`).
    pub roles: Vec<String>,
}

/// The console's areas, each opened by a role; the console's home and audit log are everyone's.
pub const STAFF_AREAS: [(&str, &str, &str); 4] = [
    ("notices", "/staff/notices", "staff.nav.notices"),
    ("records", "/staff/records", "staff.nav.records"),
    (
        "applications",
        "/staff/applications",
        "staff.nav.applications",
    ),
    ("payments", "/staff/payments", "staff.nav.payments"),
];

/// What the page shell shows of a signed-in session.
#[derive(Debug, Clone, Default)]
pub struct SessionView {
    /// The citizen's name, as on their card.
    pub name: String,
    /// Seconds of inactivity left before the session ends (1 hour after the last request).
    pub idle_seconds_left: u64,
    /// Seconds before the end at which the warning page is shown (works without JavaScript through
    /// `<meta http-equiv="refresh">` to `/session/warning`).
    pub warn_seconds_before: u64,
    /// Notices in the inbox the citizen has not opened, for the header's link to お知らせ; `None` on a page
    /// that does not count them (the idle warning, which must not touch the session).
    pub unread_notices: Option<u64>,
    /// Set while the user acts as someone's proxy (代理人): every page then says so, with a way back.
    pub acting_for: Option<ActingView>,
}

/// Whom a proxy is acting for, for the banner on every page.
#[derive(Debug, Clone, Default)]
pub struct ActingView {
    /// The principal's name.
    pub name: String,
    /// The proxy may act (apply, reply), not only read.
    pub may_act: bool,
}

impl SessionView {
    /// Seconds from now until the idle warning is due: `idle_seconds_left - warn_seconds_before`, never
    /// below zero. The `<meta http-equiv="refresh">` to `/session/warning` (inside `<noscript>`) and the
    /// script's dialog both use it.
    pub fn warning_after(&self) -> u64 {
        self.idle_seconds_left
            .saturating_sub(self.warn_seconds_before)
    }
}

impl Shell {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    /// Link to the same page in the other language, through the server's language switch.
    pub fn switch_href(&self) -> String {
        format!(
            "/language/{}?next={}",
            self.lang.other().code(),
            encode_query_value(&self.path)
        )
    }

    /// The service navigation: home, マイページ, わたしの情報, やりとり履歴 and お知らせ when signed in,
    /// feedback, accessibility.
    pub fn nav_items(&self) -> Vec<(&'static str, &'static str)> {
        if let Some(staff) = &self.staff {
            let mut items = vec![("/staff", self.t("staff.nav.home"))];
            for (role, href, key) in STAFF_AREAS {
                if staff.roles.iter().any(|r| r == role) {
                    items.push((href, self.t(key)));
                }
            }
            items.push(("/staff/audit", self.t("staff.nav.audit")));
            return items;
        }
        let mut items = vec![
            ("/", self.t("header.nav.home")),
            ("/services", self.t("services.nav")),
        ];
        if self.session.is_some() {
            items.push(("/my-page", self.t("header.nav.my_page")));
            items.push(("/my-data", self.t("header.nav.my_data")));
            items.push(("/applications", self.t("applications.nav")));
            items.push(("/history", self.t("header.nav.history")));
            items.push(("/notices", self.t("notices.nav")));
        }
        items.push(("/feedback", self.t("header.nav.feedback")));
        items.push(("/accessibility", self.t("header.nav.accessibility")));
        items
    }

    /// A span of time in words, for "you will be signed out in …": minutes (rounded up, as countdowns
    /// usually do: "2 minutes" until the last minute) from one minute up, seconds below that. portal.js
    /// words its countdown the same way.
    pub fn duration_text(&self, seconds: impl std::borrow::Borrow<u64>) -> String {
        let seconds = *seconds.borrow();
        if seconds >= 60 {
            self.tn("time.minutes", seconds.div_ceil(60))
        } else {
            self.tn("time.seconds", seconds)
        }
    }

    /// Message lookup with `{count}` filled in, to pass to the component macros instead of the shell when
    /// an error message carries a number (e.g. "2 tries left"). See [`crate::components::CountedMessages`].
    pub fn counted(&self, count: Option<u64>) -> crate::components::CountedMessages {
        crate::components::CountedMessages::new(self.lang, count)
    }

    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    /// `t` with its `{count}` placeholder replaced; `<key>_one` is used for a count of one, so English can
    /// say "1 character" (both catalogs carry both keys). Takes any number, by value or by reference
    /// (askama passes some arguments by reference).
    pub fn tn(&self, key: &str, count: impl std::fmt::Display) -> String {
        let count = count.to_string();
        let text = if count == "1" {
            self.lang.t(&format!("{key}_one"))
        } else {
            self.lang.t(key)
        };
        text.replace("{count}", &count)
    }

    /// `t` with its one `{name}` placeholder replaced by `value`: `tf` for templates, which cannot easily
    /// build a slice of pairs.
    pub fn tv(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.lang
            .t(key)
            .replace(&format!("{{{name}}}"), &value.to_string())
    }

    /// The value of `aria-current` for a navigation link to `href`: `page` on that very page, `true` on a
    /// page below it (e.g. `/feedback/sent` under `/feedback`), nothing elsewhere. The home page `/` is
    /// only ever current on itself.
    pub fn nav_current(&self, href: &str) -> Option<&'static str> {
        let path = self.path.split(['?', '#']).next().unwrap_or_default();
        let path = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if path == href {
            Some("page")
        } else if href != "/"
            && href != "/staff"
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/'))
        {
            Some("true")
        } else {
            None
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str) -> Shell {
        Shell {
            path: path.to_owned(),
            ..Shell::default()
        }
    }

    #[test]
    fn nav_current_marks_page_and_section() {
        assert_eq!(at("/").nav_current("/"), Some("page"));
        assert_eq!(at("/?x=1").nav_current("/"), Some("page"));
        assert_eq!(at("/feedback").nav_current("/"), None);
        assert_eq!(at("/feedback").nav_current("/feedback"), Some("page"));
        assert_eq!(at("/feedback/").nav_current("/feedback"), Some("page"));
        assert_eq!(
            at("/feedback/sent?ref=1").nav_current("/feedback"),
            Some("true")
        );
        assert_eq!(at("/feedbackx").nav_current("/feedback"), None);
        assert_eq!(at("").nav_current("/"), None);
    }

    #[test]
    fn switch_href_returns_to_same_page() {
        assert_eq!(
            at("/feedback?a=b").switch_href(),
            "/language/en?next=/feedback%3Fa%3Db"
        );
    }

    #[test]
    fn warning_after_never_underflows() {
        let view = |idle, warn| SessionView {
            name: String::new(),
            idle_seconds_left: idle,
            warn_seconds_before: warn,
            unread_notices: None,
            acting_for: None,
        };
        assert_eq!(view(3600, 120).warning_after(), 3480);
        assert_eq!(view(60, 120).warning_after(), 0);
        assert_eq!(view(0, 0).warning_after(), 0);
    }

    #[test]
    fn nav_gains_my_page_when_signed_in() {
        let mut shell = at("/");
        assert!(
            !shell
                .nav_items()
                .iter()
                .any(|(href, _)| *href == "/my-page")
        );
        shell.session = Some(SessionView::default());
        let hrefs: Vec<_> = shell.nav_items().iter().map(|(href, _)| *href).collect();
        assert_eq!(
            hrefs,
            [
                "/",
                "/services",
                "/my-page",
                "/my-data",
                "/applications",
                "/history",
                "/notices",
                "/feedback",
                "/accessibility"
            ]
        );
    }

    #[test]
    fn duration_text_uses_minutes_then_seconds() {
        let shell = Shell {
            lang: Lang::En,
            ..Shell::default()
        };
        assert_eq!(shell.duration_text(120), "2 minutes");
        assert_eq!(shell.duration_text(61), "2 minutes");
        assert_eq!(shell.duration_text(60), "1 minute");
        assert_eq!(shell.duration_text(59), "59 seconds");
        assert_eq!(shell.duration_text(1), "1 second");
        let ja = at("/");
        assert_eq!(ja.duration_text(120), "2分");
        assert_eq!(ja.duration_text(30), "30秒");
    }

    #[test]
    fn tn_picks_singular() {
        let shell = Shell {
            lang: Lang::En,
            ..Shell::default()
        };
        assert_eq!(
            shell.tn("character_count.remaining", 1),
            "You have 1 character remaining"
        );
        assert_eq!(
            shell.tn("character_count.remaining", 5),
            "You have 5 characters remaining"
        );
    }
}
