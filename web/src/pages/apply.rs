//! ぴったりサービス applications: one question page of a form, the check-your-answers page, the receipt, and
//! the citizen's list of applications (申請中). The server builds the field views from the form definition
//! (`crate::form_view`).

use askama::Template;

use crate::Shell;
use crate::components::{FieldErrors, FieldMessages};

/// One error of a question page: the id of the input the summary links to, and the same id as the key of
/// its text in the page's [`FieldMessages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    pub field: String,
    pub message_key: String,
}

/// A sub-input of a bank-account field (bank code, branch code, number, holder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubInput {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: Option<String>,
    pub inputmode: &'static str,
    pub width: &'static str,
}

/// A bank-account field: the registered refund account offered first, another account below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountView {
    pub use_name: String,
    pub use_legend: String,
    /// (value, text, item hint, checked): `registered` (with the account as its hint) and `other`.
    pub use_options: Vec<(String, String, String, bool)>,
    pub other_lead: String,
    pub inputs: Vec<SubInput>,
    pub type_id: String,
    pub type_name: String,
    pub type_label: String,
    pub type_options: Vec<(String, String, bool)>,
    pub type_error: Option<String>,
}

/// One item of a question page, ready to show: a field, or one of the frames around a repeatable group
/// and its entries (the page's list is flat, a group's items between its `group_start` and `group_end`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldView {
    /// Empty for a field; `group_start`, `entry_start`, `entry_end` or `group_end` for a frame (whose
    /// `label` is the group's legend or the entry's, "児童 1").
    pub frame: &'static str,
    /// An `entry_end`'s remove button or a `group_end`'s add button: the `action` value (empty for none)
    /// and its text.
    pub button_value: String,
    pub button_text: String,
    /// The definition's kind code (`text`, `date`, `group`, …).
    pub kind: String,
    pub name: String,
    pub id: String,
    pub label: String,
    /// The definition's hint, with the era of a date and "optional" where it applies.
    pub hint: String,
    /// Where a prefilled value came from and as of when; empty when it was not prefilled.
    pub source: String,
    /// Prefilled and not to be changed: shown as text, not as an input.
    pub locked: bool,
    pub shown_value: String,
    /// Text-like kinds: what is in the box.
    pub value: String,
    /// Date: year, month, day as typed.
    pub date: (String, String, String),
    /// Radios, yes/no, checkboxes, declaration: (value, text, item hint, checked).
    pub options: Vec<(String, String, String, bool)>,
    /// Select: (value, text, selected).
    pub select_options: Vec<(String, String, bool)>,
    /// The key of the field's error in the page's messages (its input id), when it has one.
    pub error: Option<String>,
    /// The `aria-describedby` of a fieldset drawn here: its hint and error ids.
    pub described_by: String,
    pub inputmode: &'static str,
    pub autocomplete: &'static str,
    pub width: &'static str,
    /// File: the `accept` attribute, and the file already attached ("name (size)") with its download link
    /// and the link's text (empty when the page gives no links).
    pub accept: String,
    pub file: Option<String>,
    pub file_href: String,
    pub file_download: String,
    pub account: Option<AccountView>,
}

/// A question page: one page of the definition, with its errors and what was typed.
#[derive(Template)]
#[template(path = "pages/apply_page.html")]
pub struct ApplyPage {
    pub shell: Shell,
    pub form_title: String,
    pub page_title: String,
    /// "3 ページ中 1 ページ目" / "Page 1 of 3".
    pub progress: String,
    pub back_href: String,
    pub action: String,
    pub fields: Vec<FieldView>,
    pub errors: Vec<FormError>,
    pub messages: FieldMessages,
    pub has_prefilled: bool,
    pub has_file: bool,
}

impl ApplyPage {
    /// Whether the page has a group's add or remove buttons, which come before the continue button: pressing
    /// Enter in a box must not press them, so a hidden continue button is put first.
    pub fn has_entry_buttons(&self) -> bool {
        self.fields.iter().any(|f| !f.button_value.is_empty())
    }
}

/// One row of the check-your-answers page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerRow {
    pub key: String,
    pub value: String,
    /// The page to change it on; empty for a locked, prefilled value.
    pub change_href: String,
    /// An attached file's download link and its text ("保険証.png をダウンロード（PNG、1 KB）"); empty for
    /// any other answer.
    pub download_href: String,
    pub download_text: String,
}

/// One page's answers on the check-your-answers page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnswerSection {
    pub title: String,
    pub rows: Vec<AnswerRow>,
}

/// Check your answers: every answer by page with change links, what is still missing, then the
/// declaration that sending gives the answers to the agency, and the send button.
#[derive(Template)]
#[template(path = "pages/apply_check.html")]
pub struct ApplyCheckPage {
    pub shell: Shell,
    pub form_title: String,
    pub agency: String,
    pub sections: Vec<AnswerSection>,
    /// (link to the page, message) of every problem that stops sending.
    pub missing: Vec<(String, String)>,
    /// The agency's request, when it asked for a correction (the application goes back under its number).
    pub correction: Option<String>,
    pub action: String,
    /// Where "sign and send" leads (a GET form), when the portal can verify electronic signatures.
    pub sign_href: Option<String>,
    pub back_href: String,
}

/// Signing an application with the My Number Card before it is sent: what is signed (the form and the
/// digest of the answers), the code and QR code for the card app, and the continue form (POST `action_url`),
/// which sends the application once the citizen's own card has signed. The error summary links to the
/// continue button (`sign-continue`).
#[derive(Template)]
#[template(path = "pages/apply_sign.html")]
pub struct ApplySignPage {
    pub shell: Shell,
    pub form_title: String,
    /// SHA-256 of the submission's canonical form, lower-case hex.
    pub digest: String,
    /// As shown: XXXX-XXXX.
    pub code: String,
    pub qr_url: String,
    pub status_url: String,
    pub action_url: String,
    /// Check your answers.
    pub back_href: String,
    pub expires_in_minutes: u64,
    /// Demo mode: the demo card reader for this code.
    pub demo_href: Option<String>,
    pub still_waiting: bool,
    pub errors: FieldErrors,
}

impl ApplySignPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn code_spelled(&self) -> String {
        super::sign_in::spell_code(&self.shell, &self.code)
    }

    pub fn card_command(&self) -> String {
        super::sign_in::card_command(&self.code)
    }

    pub fn expires_in_seconds(&self) -> u64 {
        self.expires_in_minutes.saturating_mul(60)
    }

    /// The digest in groups of eight, for reading and comparing with the card app's screen.
    pub fn digest_grouped(&self) -> String {
        group_digest(&self.digest)
    }
}

/// A hex digest in groups of eight characters separated by spaces.
pub fn group_digest(digest: &str) -> String {
    digest
        .as_bytes()
        .chunks(8)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One event of an application's history, ready to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRow {
    /// YYYY-MM-DD HH:MM in Japan.
    pub at: String,
    pub text: String,
    pub body: String,
}

/// The longest message a citizen writes to the agency about an application.
pub const MESSAGE_MAX_CHARS: usize = 2_000;

/// An application after sending: the receipt (it prints well), its status and history, and what the
/// citizen can do now.
///
/// | field   | id (label target) | name      |
/// |---------|-------------------|-----------|
/// | message | `message`         | `message` |
#[derive(Template)]
#[template(path = "pages/application.html")]
pub struct ApplicationPage {
    pub shell: Shell,
    /// The application's id, for its withdraw form.
    pub id: String,
    pub form_title: String,
    pub agency: String,
    pub receipt_number: String,
    pub submitted_at: String,
    /// The proxy (代理人) who sent it for the citizen, if one did.
    pub sent_by: Option<String>,
    pub status: String,
    /// Just sent: the confirmation panel is shown.
    pub just_sent: bool,
    pub sections: Vec<AnswerSection>,
    pub events: Vec<EventRow>,
    /// The agency has not started on it: the citizen may withdraw it (取下げ).
    pub can_withdraw: bool,
    /// Just withdrawn: a banner says so.
    pub withdrawn: bool,
    /// When it was signed electronically ("2026年12月3日 14:05"), if the answers sent were signed.
    pub signed_at: Option<String>,
    /// The citizen may write to the agency (not while withdrawn).
    pub can_message: bool,
    /// The message as typed, kept when it is refused.
    pub message: String,
    pub errors: crate::components::FieldErrors,
    /// Just sent a message: a banner says so.
    pub message_sent: bool,
}

impl ApplicationPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// One application in the citizen's list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationRow {
    pub href: String,
    pub title: String,
    pub status: String,
    pub draft: bool,
    /// Last saved (draft) or sent, YYYY-MM-DD.
    pub date: String,
    pub receipt_number: String,
}

/// 申請中 and sent applications, most recently changed first.
#[derive(Template)]
#[template(path = "pages/applications.html")]
pub struct ApplicationsPage {
    pub shell: Shell,
    pub rows: Vec<ApplicationRow>,
    pub pagination: crate::components::Pagination,
}

/// Before starting a form: what it asks, that known answers are filled in, that progress is saved; a start
/// button, or the link to continue a saved draft.
#[derive(Template)]
#[template(path = "pages/apply_start.html")]
pub struct ApplyStartPage {
    pub shell: Shell,
    pub form_title: String,
    pub agency: String,
    /// The page titles, in order.
    pub pages: Vec<String>,
    pub action: String,
    /// (continue href, last saved YYYY-MM-DD) of a saved draft.
    pub draft: Option<(String, String)>,
}

/// The amount a benefit comes to for this citizen, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BenefitAmount {
    /// "¥150,000" style, in the page's language.
    pub total: String,
    /// How it is made up ("1世帯 100,000円 ＋ 世帯員 1人 × 50,000円").
    pub breakdown: String,
}

/// A benefit (即日給付) as one citizen sees it: the amount and the prefilled claim to confirm in one step,
/// or the reason they cannot claim, or their claim.
///
/// | field        | id (label target) | name      |
/// |--------------|-------------------|-----------|
/// | confirmation | `confirm`         | `confirm` |
#[derive(Template)]
#[template(path = "pages/benefit.html")]
pub struct BenefitPage {
    pub shell: Shell,
    pub title: String,
    pub agency: String,
    pub deadline: String,
    /// Eligible and not claimed yet: the amount.
    pub amount: Option<BenefitAmount>,
    /// Why they cannot claim, in full sentences.
    pub ineligible: Option<String>,
    /// Their claim's application page, when they claimed.
    pub claimed_href: Option<String>,
    /// The claim as it will be sent (no change links: the values come from the records).
    pub sections: Vec<AnswerSection>,
    /// Where the prefilled values came from.
    pub sources: Vec<String>,
    /// The portal holds no 公金受取口座: the claim will ask for an account.
    pub needs_account: bool,
    /// The declaration the confirmation stands for.
    pub declaration: String,
    pub action: String,
    pub errors: crate::components::FieldErrors,
}

impl BenefitPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The confirmation checkbox: (value, text, hint, checked).
    pub fn confirm_options(&self) -> Vec<(String, String, String, bool)> {
        vec![(
            "agreed".to_owned(),
            self.declaration.clone(),
            String::new(),
            false,
        )]
    }
}
