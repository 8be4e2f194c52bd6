//! メールでのお知らせ通知: the citizen's address for notice alerts (register, change with a code, remove),
//! the categories that alert, and the unsubscribe page reached from a mail without signing in.

use askama::Template;

use crate::Shell;
use crate::components::{CountedMessages, FieldErrors};

/// The notice categories a citizen can choose, in the order shown. The server checks that these are the
/// codes of its `NoticeCategory`.
pub const EMAIL_CATEGORIES: [&str; 6] =
    ["tax", "pension", "health", "benefits", "disaster", "other"];

/// The name of a notice category in the page's language; an unknown code is shown as it is.
pub fn category_label(shell: &Shell, code: &str) -> String {
    let t = |key| shell.t(key);
    match code {
        "tax" => t("email.categories.tax"),
        "pension" => t("email.categories.pension"),
        "health" => t("email.categories.health"),
        "benefits" => t("email.categories.benefits"),
        "disaster" => t("email.categories.disaster"),
        "other" => t("email.categories.other"),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// What the overview's success banner reports, after the action that led there (`?done=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailDone {
    AddressChanged,
    CategoriesSaved,
    Removed,
}

impl EmailDone {
    /// The value of `?done=` that asks for this banner.
    pub fn code(self) -> &'static str {
        match self {
            EmailDone::AddressChanged => "address_changed",
            EmailDone::CategoriesSaved => "categories_saved",
            EmailDone::Removed => "removed",
        }
    }

    pub fn from_code(code: &str) -> Option<EmailDone> {
        [
            EmailDone::AddressChanged,
            EmailDone::CategoriesSaved,
            EmailDone::Removed,
        ]
        .into_iter()
        .find(|d| d.code() == code)
    }
}

/// The overview (`/settings/email`): the confirmed address or none, a change waiting for its code, the
/// categories that alert, and links to change or remove.
#[derive(Template)]
#[template(path = "pages/email_settings.html")]
pub struct EmailSettingsPage {
    pub shell: Shell,
    /// The confirmed address.
    pub address: Option<String>,
    /// Codes from [`EMAIL_CATEGORIES`] that alert.
    pub categories: Vec<String>,
    /// An address waiting for its code to be entered.
    pub pending: Option<String>,
    pub done: Option<EmailDone>,
}

impl EmailSettingsPage {
    /// The chosen categories in words, or "none" when no category alerts.
    pub fn categories_text(&self) -> String {
        if self.categories.is_empty() {
            return self.shell.t("email.settings.categories_none").to_owned();
        }
        self.categories
            .iter()
            .map(|c| category_label(&self.shell, c))
            .collect::<Vec<_>>()
            .join(self.shell.t("email.categories.separator"))
    }

    pub fn banner(&self) -> Option<&'static str> {
        self.done.map(|done| match done {
            EmailDone::AddressChanged => self.shell.t("email.settings.done_address_changed"),
            EmailDone::CategoriesSaved => self.shell.t("email.settings.done_categories_saved"),
            EmailDone::Removed => self.shell.t("email.settings.done_removed"),
        })
    }
}

/// What the citizen typed into the address form, kept as typed when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailAddressForm {
    pub email: String,
}

/// The address form (`/settings/email/address`), to register an address or change it. Field: text input
/// `email` (type email). Errors: `email`.
#[derive(Template)]
#[template(path = "pages/email_address.html")]
pub struct EmailAddressPage {
    pub shell: Shell,
    /// The confirmed address, when this is a change.
    pub current: Option<String>,
    pub form: EmailAddressForm,
    pub errors: FieldErrors,
}

impl EmailAddressPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn title(&self) -> &'static str {
        if self.current.is_some() {
            self.shell.t("email.address_form.title_change")
        } else {
            self.shell.t("email.address_form.title_add")
        }
    }
}

/// What the citizen typed into the code form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailConfirmForm {
    pub code: String,
}

/// The code form (`/settings/email/confirm`): the 6-digit code sent to the new address, and a second form
/// to send a new code. Fields: text input `code` (inputmode numeric, autocomplete one-time-code); the
/// "send a new code" button has id `resend`. Errors: `code`, `resend`.
#[derive(Template)]
#[template(path = "pages/email_confirm.html")]
pub struct EmailConfirmPage {
    pub shell: Shell,
    /// The address waiting to be confirmed.
    pub address: String,
    pub form: EmailConfirmForm,
    pub errors: FieldErrors,
    /// Tries left after a wrong code, for "2 tries left".
    pub tries_left: Option<u64>,
    /// A new code has just been sent.
    pub resent: bool,
}

impl EmailConfirmPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Error messages with the tries left filled in (`email.errors.code_wrong`).
    pub fn messages(&self) -> CountedMessages {
        self.shell.counted(self.tries_left)
    }
}

/// The categories form (`/settings/email/categories`): one checkbox per category under the name
/// `categories`; the first checkbox has id `categories`. `added` greets an address just confirmed.
#[derive(Template)]
#[template(path = "pages/email_categories.html")]
pub struct EmailCategoriesPage {
    pub shell: Shell,
    pub address: String,
    /// Codes ticked.
    pub selected: Vec<String>,
    pub added: bool,
}

impl EmailCategoriesPage {
    /// The checkboxes: (value, label, hint, checked).
    pub fn options(&self) -> Vec<(&'static str, String, &'static str, bool)> {
        EMAIL_CATEGORIES
            .into_iter()
            .map(|code| {
                (
                    code,
                    category_label(&self.shell, code),
                    "",
                    self.selected.iter().any(|s| s == code),
                )
            })
            .collect()
    }
}

/// Asks before removing the address (`/settings/email/remove`).
#[derive(Template)]
#[template(path = "pages/email_remove.html")]
pub struct EmailRemovePage {
    pub shell: Shell,
    pub address: String,
}

/// The unsubscribe link of an alert (`/unsubscribe/<token>`), for anyone holding the link: what will happen
/// and a button (`done` false), or the confirmation that alerts have stopped (`done` true). `address` is
/// shown partly hidden, as the link may have been forwarded.
#[derive(Template)]
#[template(path = "pages/unsubscribe.html")]
pub struct UnsubscribePage {
    pub shell: Shell,
    pub token: String,
    pub address: String,
    pub done: bool,
}

impl UnsubscribePage {
    pub fn title(&self) -> &'static str {
        if self.done {
            self.shell.t("unsubscribe.done_title")
        } else {
            self.shell.t("unsubscribe.title")
        }
    }
}

/// An unsubscribe link that matches no address (404): mistyped, cut short, or for an address since
/// changed or removed.
#[derive(Template)]
#[template(path = "pages/unsubscribe_invalid.html")]
pub struct UnsubscribeInvalidPage {
    pub shell: Shell,
}

/// An address with most of its local part hidden: `ta***@example.jp`. Enough for the owner to recognise,
/// not enough to harvest from a forwarded link.
pub fn masked_address(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let shown: String = local.chars().take(2).collect();
            format!("{shown}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(masked_address("taro@example.jp"), "ta***@example.jp");
        assert_eq!(masked_address("t@example.jp"), "t***@example.jp");
        assert_eq!(masked_address("はなこ@例え.jp"), "はな***@例え.jp");
        assert_eq!(masked_address("nothing"), "***");
    }

    #[test]
    fn done_codes_round_trip() {
        for done in [
            EmailDone::AddressChanged,
            EmailDone::CategoriesSaved,
            EmailDone::Removed,
        ] {
            assert_eq!(EmailDone::from_code(done.code()), Some(done));
        }
        assert_eq!(EmailDone::from_code("hacked"), None);
    }
}
