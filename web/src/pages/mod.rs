//! Page view-models: one `#[derive(Template)]` struct per page, template at `templates/pages/<name>.html`.
//! Plain data only; the server's handlers fill them.

pub mod account;
pub mod account_mail;
pub mod application_mail;
pub mod apply;
pub mod apps;
pub mod email_settings;
pub mod history;
pub mod my_data;
pub mod notice_mail;
pub mod notices;
pub mod proxies;
pub mod services;
pub mod sign_in;
pub mod staff;
pub mod staff_applications;
pub mod staff_notices;
pub mod staff_payments;
pub mod staff_records;

use askama::Template;

use crate::components::{FieldErrors, Pagination};
use crate::{Lang, Shell};

/// Home page for signed-out citizens: what the portal does and how to sign in.
#[derive(Template)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub shell: Shell,
}

/// Accessibility statement.
#[derive(Template)]
#[template(path = "pages/accessibility.html")]
pub struct AccessibilityPage {
    pub shell: Shell,
}

/// Any error the user can land on (400, 403, 404, 405, 413, 429, 500, 503). Its title starts with "エラー:" /
/// "Error:".
#[derive(Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub shell: Shell,
    pub status: u16,
    /// Set when the request was refused because the user acts as someone's proxy.
    pub acting: Option<ActingRefused>,
}

/// A request refused while acting for someone (代理人): for whom, and why.
#[derive(Debug, Clone)]
pub struct ActingRefused {
    pub principal_name: String,
    /// `principals_own` (never for a proxy), `read_only` (the proxy may only read) or `ended` (the relation
    /// ended or lapsed; the session now acts for the user themselves).
    pub reason: &'static str,
}

impl ErrorPage {
    fn acting_text(&self, part: &str) -> Option<String> {
        let acting = self.acting.as_ref()?;
        let key = format!("error.acting.{}.{part}", acting.reason);
        Some(self.shell.tv(&key, "name", &acting.principal_name))
    }

    /// The page heading (also the `<title>`, after the "エラー: " prefix).
    pub fn heading(&self) -> String {
        if let Some(text) = self.acting_text("heading") {
            return text;
        }
        self.status_text("heading").to_owned()
    }

    /// What happened, in plain words.
    pub fn body(&self) -> String {
        if let Some(text) = self.acting_text("body") {
            return text;
        }
        self.status_text("body").to_owned()
    }

    /// What the user can do next.
    pub fn next(&self) -> String {
        if let Some(text) = self.acting_text("next") {
            return text;
        }
        self.status_text("next").to_owned()
    }

    /// Whether the page offers to stop acting for someone (not after the relation ended: it already has).
    pub fn offers_switch_back(&self) -> bool {
        self.acting.as_ref().is_some_and(|a| a.reason != "ended")
    }

    fn status_text(&self, part: &str) -> &'static str {
        let t = |key: &str| self.shell.t(key);
        let status = match self.status {
            400 | 403 | 404 | 405 | 413 | 429 | 500 | 503 => self.status.to_string(),
            _ => "generic".to_owned(),
        };
        t(&format!("error.{status}.{part}"))
    }

    /// Server-side faults and unknown errors, where pointing to the feedback form helps.
    pub fn offers_feedback(&self) -> bool {
        !matches!(self.status, 400 | 403 | 404 | 405 | 413 | 429)
    }
}

/// What the user typed into the feedback form, kept as typed so a failed submission loses nothing.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedbackForm {
    pub topic: String,
    pub area: String,
    pub message: String,
    pub happened_day: String,
    pub happened_month: String,
    pub happened_year: String,
    /// "yes" when the user wants a reply.
    pub reply: String,
    pub email: String,
    pub name: String,
}

/// Feedback form (ご意見・お問い合わせ), re-rendered with errors when validation fails.
///
/// Field ids (the error summary links to `#<FieldError::field>`, so use these as the `field` of each error):
///
/// | field      | `FieldError::field` | element with that id                     | other ids                            |
/// |------------|---------------------|------------------------------------------|--------------------------------------|
/// | `topic`    | `topic`             | first radio (value `question`)           | `topic-2` … `topic-4`                |
/// | `area`     | `area`              | the select                               |                                      |
/// | `message`  | `message`           | the textarea                             | hint `message-hint`, `message-info`  |
/// | `happened` | `happened`          | the YEAR input (name `happened_year`)    | `happened-month`, `happened-day`     |
/// | `reply`    | `reply`             | the checkbox (value `yes`)               |                                      |
/// | `email`    | `email`             | the email input                          |                                      |
/// | `name`     | `name`              | the name input                           |                                      |
///
/// The date is entered in Japanese order (year, month, day) in both languages. Each field's error message
/// has id `<field>-error`.
#[derive(Template)]
#[template(path = "pages/feedback.html")]
pub struct FeedbackPage {
    pub shell: Shell,
    pub form: FeedbackForm,
    pub errors: FieldErrors,
}

/// The longest feedback message accepted, in characters (a line break counts as one).
pub const FEEDBACK_MESSAGE_MAX_CHARS: usize = 2000;

/// Values of the feedback form's `topic` radios, in the order shown.
pub const FEEDBACK_TOPICS: [&str; 4] = ["question", "problem", "suggestion", "other"];

/// Values of the feedback form's `area` select, in the order shown; the empty value means "not chosen".
pub const FEEDBACK_AREAS: [&str; 7] = [
    "",
    "sign_in",
    "my_data",
    "applications",
    "notices",
    "refund_account",
    "other",
];

/// The label of a `topic` value in `lang`; an unknown value is shown as typed.
pub fn feedback_topic_label(lang: Lang, value: &str) -> String {
    let t = |key| lang.t(key);
    match value {
        "question" => t("feedback.topic.question"),
        "problem" => t("feedback.topic.problem"),
        "suggestion" => t("feedback.topic.suggestion"),
        "other" => t("feedback.topic.other"),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// The label of an `area` value in `lang`; empty for "not chosen", an unknown value as typed.
pub fn feedback_area_label(lang: Lang, value: &str) -> String {
    let t = |key| lang.t(key);
    match value {
        "" => "",
        "sign_in" => t("feedback.area.sign_in"),
        "my_data" => t("feedback.area.my_data"),
        "applications" => t("feedback.area.applications"),
        "notices" => t("feedback.area.notices"),
        "refund_account" => t("feedback.area.refund_account"),
        "other" => t("feedback.area.other"),
        other => return other.to_owned(),
    }
    .to_owned()
}

impl FeedbackPage {
    /// Whether the page shows errors (its title then starts with "エラー: ").
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Shown after the feedback was received (post/redirect/get target).
#[derive(Template)]
#[template(path = "pages/feedback_sent.html")]
pub struct FeedbackSentPage {
    pub shell: Shell,
    pub reference: String,
}

/// Component gallery: every component macro with its examples and error states, so axe checks them all.
#[derive(Template)]
#[template(path = "pages/components.html")]
pub struct ComponentsPage {
    pub shell: Shell,
}

impl ComponentsPage {
    /// The errors the gallery's error summary shows; each links to an example field in an error state.
    pub fn example_errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.add("gallery-email-error", "components.errors.email_invalid");
        errors.add("gallery-reason-error", "components.errors.reason_required");
        errors.add("gallery-method-error", "components.errors.method_required");
        errors.add("gallery-applied", "components.errors.date_invalid");
        errors
    }

    pub fn example_pagination(&self) -> Pagination {
        Pagination::new(5, 12, "?page=")
    }
}

/// E-mail to the operator's feedback address. Subject, plain text and HTML bodies; sent as
/// multipart/alternative.
pub mod email {
    use askama::Template;

    use crate::Lang;

    #[derive(Template)]
    #[template(path = "email/feedback/subject.txt")]
    pub struct FeedbackSubject<'a> {
        pub reference: &'a str,
    }

    #[derive(Template)]
    #[template(path = "email/feedback/body.txt")]
    pub struct FeedbackText<'a> {
        pub reference: &'a str,
        pub form: &'a super::FeedbackForm,
        pub lang: &'a str,
    }

    #[derive(Template)]
    #[template(path = "email/feedback/body.html")]
    pub struct FeedbackHtml<'a> {
        pub reference: &'a str,
        pub form: &'a super::FeedbackForm,
        pub lang: &'a str,
    }

    impl FeedbackSubject<'_> {
        /// The subject line, always in Japanese (it goes to the operator).
        pub fn text(&self) -> String {
            Lang::Ja.tf("email.feedback.subject", &[("reference", self.reference)])
        }
    }

    /// Display values shared by the plain-text and HTML bodies. `lang` is the language of the mail; an
    /// unknown code falls back to Japanese.
    macro_rules! feedback_display {
        ($ty:ident) => {
            impl $ty<'_> {
                pub fn language(&self) -> Lang {
                    Lang::from_code(self.lang).unwrap_or_default()
                }

                pub fn t(&self, key: &str) -> &'static str {
                    self.language().t(key)
                }

                /// `value`, or "(not given)" when empty.
                pub fn or_not_given<'v>(&self, value: &'v str) -> &'v str {
                    if value.trim().is_empty() {
                        self.t("common.not_given")
                    } else {
                        value
                    }
                }

                pub fn topic(&self) -> String {
                    super::feedback_topic_label(self.language(), &self.form.topic)
                }

                pub fn area(&self) -> String {
                    super::feedback_area_label(self.language(), &self.form.area)
                }

                /// The date as typed, or empty when no part was given.
                pub fn happened(&self) -> String {
                    let f = self.form;
                    if f.happened_year.trim().is_empty()
                        && f.happened_month.trim().is_empty()
                        && f.happened_day.trim().is_empty()
                    {
                        return String::new();
                    }
                    self.language().tf(
                        "email.feedback.happened_date",
                        &[
                            ("year", f.happened_year.trim()),
                            ("month", f.happened_month.trim()),
                            ("day", f.happened_day.trim()),
                        ],
                    )
                }

                pub fn reply(&self) -> &'static str {
                    if self.form.reply == "yes" {
                        self.t("common.yes")
                    } else {
                        self.t("common.no")
                    }
                }
            }
        };
    }

    feedback_display!(FeedbackText);
    feedback_display!(FeedbackHtml);
}
