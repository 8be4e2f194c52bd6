//! 公金受取口座: the overview with the account (number masked) and its history, the bank and branch finders
//! (plain GET forms, so they work without JavaScript), the details form, check your answers, the card
//! confirmation before a change or deletion, and the deletion page.

use askama::Template;

use crate::Shell;
use crate::components::{FieldErrors, FieldMessages};

/// The account as typed (or sent by a bank), kept as typed when it is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AccountForm {
    pub bank_code: String,
    pub branch_code: String,
    /// `ordinary`, `current` or `savings`.
    pub account_type: String,
    pub account_number: String,
    pub holder_name: String,
}

/// Values of the `account_type` radios, in the order shown.
pub const ACCOUNT_TYPES: [&str; 3] = ["ordinary", "current", "savings"];

/// The name of an account type in the page's language; an unknown code is shown as it is.
pub fn account_type_label(shell: &Shell, code: &str) -> String {
    match code {
        "ordinary" => shell.t("account.type.ordinary"),
        "current" => shell.t("account.type.current"),
        "savings" => shell.t("account.type.savings"),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// What the overview's banner reports after the action that led there (`?done=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountDone {
    Registered,
    Changed,
    Deleted,
    /// A registration completed later (at a bank) was already stored: this one changed nothing.
    Superseded,
}

impl AccountDone {
    pub fn code(self) -> &'static str {
        match self {
            AccountDone::Registered => "registered",
            AccountDone::Changed => "changed",
            AccountDone::Deleted => "deleted",
            AccountDone::Superseded => "superseded",
        }
    }

    pub fn from_code(code: &str) -> Option<AccountDone> {
        [
            AccountDone::Registered,
            AccountDone::Changed,
            AccountDone::Deleted,
            AccountDone::Superseded,
        ]
        .into_iter()
        .find(|d| d.code() == code)
    }
}

/// The registered account as shown: every value already in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    pub bank: String,
    pub branch: String,
    pub account_type: String,
    /// Masked except the last three digits.
    pub number: String,
    pub holder: String,
    /// When and through which channel.
    pub registered: String,
    /// The bank table changed under the account: it must be registered again.
    pub invalid: bool,
}

/// One line of the account's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEventRow {
    pub when: String,
    pub what: String,
    pub channel: String,
    pub account: String,
}

/// `/account`: the account or none, what to do next, and every change so far.
#[derive(Template)]
#[template(path = "pages/account.html")]
pub struct AccountPage {
    pub shell: Shell,
    pub account: Option<AccountSummary>,
    pub history: Vec<AccountEventRow>,
    pub done: Option<AccountDone>,
}

impl AccountPage {
    pub fn banner(&self) -> Option<(&'static str, &'static str)> {
        let t = |key| self.shell.t(key);
        self.done.map(|done| match done {
            AccountDone::Registered => (t("account.done.registered"), t("account.done.told")),
            AccountDone::Changed => (t("account.done.changed"), t("account.done.told")),
            AccountDone::Deleted => (t("account.done.deleted"), t("account.done.told")),
            AccountDone::Superseded => (
                t("account.done.superseded"),
                t("account.done.superseded_next"),
            ),
        })
    }

    pub fn history_rows(&self) -> Vec<Vec<String>> {
        self.history
            .iter()
            .map(|r| {
                vec![
                    r.when.clone(),
                    r.what.clone(),
                    r.channel.clone(),
                    r.account.clone(),
                ]
            })
            .collect()
    }

    pub fn history_head(&self) -> Vec<&'static str> {
        let t = |key| self.shell.t(key);
        vec![
            t("account.history.when"),
            t("account.history.what"),
            t("account.history.channel"),
            t("account.history.account"),
        ]
    }
}

/// A bank or branch found by the finder: a link that chooses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundItem {
    pub href: String,
    pub name: String,
    /// Kana and code, e.g. "ミズホ ・ 0001".
    pub detail: String,
}

/// `/account/bank?q=`: find the bank by name, kana or code. Field: `q`. Error: `q` (nothing typed).
#[derive(Template)]
#[template(path = "pages/account_bank.html")]
pub struct AccountBankPage {
    pub shell: Shell,
    pub query: String,
    /// The form was sent (so "nothing found" can be said).
    pub searched: bool,
    pub found: Vec<FoundItem>,
    pub errors: FieldErrors,
}

impl AccountBankPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// `/account/branch?bank=&q=`: find the branch within the chosen bank. Fields: `q`, hidden `bank`.
#[derive(Template)]
#[template(path = "pages/account_branch.html")]
pub struct AccountBranchPage {
    pub shell: Shell,
    pub bank_code: String,
    pub bank_name: String,
    pub query: String,
    pub searched: bool,
    pub found: Vec<FoundItem>,
    /// All branches are listed (a bank with few), without a search.
    pub listing_all: bool,
    pub errors: FieldErrors,
}

impl AccountBranchPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn found_heading(&self) -> &'static str {
        if self.listing_all {
            self.shell.t("account.branch.all_heading")
        } else {
            self.shell.t("account.found_heading")
        }
    }
}

/// `/account/details`: the account's five fields. Ids: `bank_code`, `branch_code`, `account_type` (first
/// radio; `account_type-2`, `account_type-3`), `account_number`, `holder_name`; the submit buttons carry
/// `action` = `continue` or `find_bank`.
#[derive(Template)]
#[template(path = "pages/account_details.html")]
pub struct AccountDetailsPage {
    pub shell: Shell,
    pub form: AccountForm,
    pub errors: FieldErrors,
    /// The error texts, which name what was typed.
    pub messages: FieldMessages,
    /// The bank and branch the codes stand for, when both are known.
    pub chosen: Option<String>,
    /// The citizen's registered kana name, which the holder name must match.
    pub registered_kana: String,
    /// An account is registered already: this is a change.
    pub change: bool,
}

impl AccountDetailsPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn title(&self) -> &'static str {
        if self.change {
            self.shell.t("account.details.title_change")
        } else {
            self.shell.t("account.details.title")
        }
    }

    /// The type radios: (value, label, hint, checked).
    pub fn type_options(&self) -> Vec<(&'static str, String, &'static str, bool)> {
        ACCOUNT_TYPES
            .iter()
            .map(|code| {
                (
                    *code,
                    account_type_label(&self.shell, code),
                    "",
                    self.form.account_type == *code,
                )
            })
            .collect()
    }
}

/// `/account/check`: the answers, each with a change link, and the button that registers (or goes on to
/// the card confirmation, for a change).
#[derive(Template)]
#[template(path = "pages/account_check.html")]
pub struct AccountCheckPage {
    pub shell: Shell,
    /// (key, value, change href).
    pub rows: Vec<(String, String, String)>,
    pub change: bool,
}

/// The card confirmation before a change or deletion (`/account/confirm/change|delete`): the code and QR
/// code for the card app, a waiting status the script updates, and the continue button (id
/// `confirm-continue`). Errors: `confirm-continue` (another person's card, an expired code, …).
#[derive(Template)]
#[template(path = "pages/account_confirm.html")]
pub struct AccountConfirmPage {
    pub shell: Shell,
    pub delete: bool,
    /// As shown: XXXX-XXXX.
    pub code: String,
    pub qr_url: String,
    pub status_url: String,
    pub action_url: String,
    pub expires_in_minutes: u64,
    pub demo: bool,
    pub still_waiting: bool,
    pub errors: FieldErrors,
}

impl AccountConfirmPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn title(&self) -> &'static str {
        if self.delete {
            self.shell.t("account.confirm.title_delete")
        } else {
            self.shell.t("account.confirm.title_change")
        }
    }

    pub fn code_spelled(&self) -> String {
        super::sign_in::spell_code(&self.shell, &self.code)
    }

    pub fn card_command(&self) -> String {
        super::sign_in::card_command(&self.code)
    }

    pub fn demo_reader_href(&self) -> String {
        super::sign_in::demo_reader_href(&self.code)
    }

    pub fn expires_in_seconds(&self) -> u64 {
        self.expires_in_minutes.saturating_mul(60)
    }
}

/// `/account/delete`: what will be deleted, what that means, and the way on to the card confirmation.
#[derive(Template)]
#[template(path = "pages/account_delete.html")]
pub struct AccountDeletePage {
    pub shell: Shell,
    pub account: AccountSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_codes_round_trip() {
        for d in [
            AccountDone::Registered,
            AccountDone::Changed,
            AccountDone::Deleted,
            AccountDone::Superseded,
        ] {
            assert_eq!(AccountDone::from_code(d.code()), Some(d));
        }
        assert_eq!(AccountDone::from_code("nope"), None);
    }
}
