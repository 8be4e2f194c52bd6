//! Sign-in with the My Number Card (simulated software cards), the signed-in home page, sign-out and the
//! session time-out pages.

use askama::Template;

use crate::Shell;
use crate::components::FieldErrors;

/// Why a sign-in did not succeed; each has its own explanation and way forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInFailure {
    /// The 5-minute challenge ran out, or was already used.
    Expired,
    /// The certificate was revoked (card reported lost, or renewed).
    Revoked,
    /// The certificate is valid but not linked to any citizen.
    UnknownCard,
    /// The certificate's validity has ended (or not yet begun).
    CardExpired,
    /// Issued by a CA other than the authentication CA.
    UnknownIssuer,
    /// The card refused: 3 wrong PINs.
    Locked,
    /// Rate limit reached for this card or address.
    TooManyAttempts,
    /// The signature did not verify (tampered, or for another challenge).
    BadSignature,
    /// The challenge belongs to another browser.
    OtherBrowser,
}

impl SignInFailure {
    pub const ALL: [SignInFailure; 9] = [
        SignInFailure::Expired,
        SignInFailure::Revoked,
        SignInFailure::UnknownCard,
        SignInFailure::CardExpired,
        SignInFailure::UnknownIssuer,
        SignInFailure::Locked,
        SignInFailure::TooManyAttempts,
        SignInFailure::BadSignature,
        SignInFailure::OtherBrowser,
    ];

    /// Stable machine name, used in URLs (`/sign-in/failed?reason=<code>`), JSON answers and the audit log.
    pub fn code(self) -> &'static str {
        match self {
            SignInFailure::Expired => "expired",
            SignInFailure::Revoked => "revoked",
            SignInFailure::UnknownCard => "unknown_card",
            SignInFailure::CardExpired => "card_expired",
            SignInFailure::UnknownIssuer => "unknown_issuer",
            SignInFailure::Locked => "locked",
            SignInFailure::TooManyAttempts => "too_many_attempts",
            SignInFailure::BadSignature => "bad_signature",
            SignInFailure::OtherBrowser => "other_browser",
        }
    }

    pub fn from_code(code: &str) -> Option<SignInFailure> {
        SignInFailure::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// The sign-in page: a fresh challenge shown as a QR code and a short code, with what to do on a phone or on
/// a PC with a card reader. Also the waiting state: JavaScript polls `status_url` and moves on by itself;
/// without JavaScript the "continue" button (POST `/sign-in/continue`) does it.
#[derive(Template)]
#[template(path = "pages/sign_in.html")]
pub struct SignInPage {
    pub shell: Shell,
    /// Short code to type into the card app, grouped for reading, e.g. `K7Q2-M9XD`.
    pub code: String,
    /// The QR code as an image URL (`/sign-in/qr/<code>.svg`), encoding `respond_url`.
    pub qr_url: String,
    /// What the card app opens: `<public_url>/card/challenge/<code>`.
    pub respond_url: String,
    /// JSON status for the waiting page's script: `{"state":"pending"|"done"|"failed", "next": "<url>"}`.
    pub status_url: String,
    pub expires_in_minutes: u64,
    /// Demo mode: offers a link to the demo reader (`/demo/reader?code=<code>`), plainly labelled a simulation.
    pub demo: bool,
    /// Shown after "continue" was pressed before the card answered.
    pub still_waiting: bool,
}

/// A sign-in that failed, with the reason and a way forward (start again, reset the PIN, etc.).
#[derive(Template)]
#[template(path = "pages/sign_in_failed.html")]
pub struct SignInFailedPage {
    pub shell: Shell,
    pub reason: SignInFailure,
}

/// マイページ: the signed-in home page, greeting the citizen by name.
#[derive(Template)]
#[template(path = "pages/my_page.html")]
pub struct MyPage {
    pub shell: Shell,
    pub name: String,
}

/// After sign-out (`everywhere`: every session of this citizen ended) or after the idle time-out (`timed_out`).
#[derive(Template)]
#[template(path = "pages/signed_out.html")]
pub struct SignedOutPage {
    pub shell: Shell,
    pub everywhere: bool,
    pub timed_out: bool,
}

/// Shown (by meta refresh, or by script as a dialog) shortly before the idle time-out: a button to stay
/// signed in (POST `/session/extend`) and one to sign out now.
#[derive(Template)]
#[template(path = "pages/session_warning.html")]
pub struct SessionWarningPage {
    pub shell: Shell,
    pub seconds_left: u64,
}

/// One demo card offered by the demo reader.
#[derive(Debug, Clone)]
pub struct DemoCard {
    /// Value posted back, e.g. `demo-1`.
    pub id: String,
    /// e.g. `山田 花子 (PIN 1234)`.
    pub label: String,
}

/// What the user typed on the demo reader, kept when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DemoReaderForm {
    pub code: String,
    pub card: String,
    pub pin: String,
}

/// Demo mode only: plays the card app for the demo cards. Says plainly that it is a simulation.
/// Fields: radios `card` (first radio id `card`), text input `pin` (4 digits, inputmode numeric,
/// autocomplete off), hidden `code`. Errors: `card`, `pin`.
#[derive(Template)]
#[template(path = "pages/demo_reader.html")]
pub struct DemoReaderPage {
    pub shell: Shell,
    pub cards: Vec<DemoCard>,
    pub form: DemoReaderForm,
    pub errors: FieldErrors,
    /// Tries left on the chosen card after a wrong PIN, to say "2 tries left".
    pub tries_left: Option<u8>,
}
