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
    /// The card is another person's than the signed-in citizen's (signing an application).
    OtherPerson,
}

impl SignInFailure {
    pub const ALL: [SignInFailure; 10] = [
        SignInFailure::Expired,
        SignInFailure::Revoked,
        SignInFailure::UnknownCard,
        SignInFailure::CardExpired,
        SignInFailure::UnknownIssuer,
        SignInFailure::Locked,
        SignInFailure::TooManyAttempts,
        SignInFailure::BadSignature,
        SignInFailure::OtherBrowser,
        SignInFailure::OtherPerson,
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
            SignInFailure::OtherPerson => "other_person",
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
    /// Demo mode: offers a link to the demo reader (`/sign-in/demo-reader?code=<code>`), plainly labelled a simulation.
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

/// Demo mode only: the demo card reader signing an application with a demo card's signature key. Shows
/// what is signed (the form and the digest), then radios `card` (first radio id `card`) and the text input
/// `password` (the 署名用 password, 6–16 of A–Z and 0–9, autocomplete off), hidden `code`. Errors: `card`,
/// `password`.
#[derive(Template)]
#[template(path = "pages/demo_signer.html")]
pub struct DemoSignerPage {
    pub shell: Shell,
    pub cards: Vec<DemoCard>,
    /// The code and the chosen card (the password typed is never shown again).
    pub form: DemoReaderForm,
    pub form_title: String,
    /// SHA-256 of the submission, lower-case hex.
    pub digest: String,
    pub errors: FieldErrors,
    /// Tries left after a wrong password, to say "4 tries left".
    pub tries_left: Option<u8>,
}

impl DemoSignerPage {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The `card` radios: (value, label, hint, checked).
    pub fn card_options(&self) -> Vec<(&str, &str, &'static str, bool)> {
        self.cards
            .iter()
            .map(|card| {
                (
                    card.id.as_str(),
                    card.label.as_str(),
                    "",
                    card.id == self.form.card,
                )
            })
            .collect()
    }

    /// Error messages with the tries left filled in (`demo_reader.sign.errors.password_wrong`).
    pub fn messages(&self) -> crate::components::CountedMessages {
        self.shell.counted(self.tries_left.map(u64::from))
    }

    pub fn digest_grouped(&self) -> String {
        super::apply::group_digest(&self.digest)
    }
}

/// A challenge's short code spelt out for screen readers: one character at a time, groups separated by a
/// pause ("K 7 Q 2、M 9 X D"), so it is not read as a word.
pub fn spell_code(shell: &Shell, code: &str) -> String {
    let pause = shell.t("sign_in.code.group_separator");
    code.split('-')
        .map(|group| {
            group
                .chars()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(pause)
}

/// The demo reader for a challenge (`/sign-in/demo-reader?code=<code>`).
pub fn demo_reader_href(code: &str) -> String {
    format!(
        "/sign-in/demo-reader?code={}",
        crate::shell::encode_query_value(code)
    )
}

/// The demo reader signing an application for a challenge (`/sign-in/demo-reader/sign?code=<code>`).
pub fn demo_signer_href(code: &str) -> String {
    format!(
        "/sign-in/demo-reader/sign?code={}",
        crate::shell::encode_query_value(code)
    )
}

/// The card app's command for a PC: `portal card sign --code <code>`.
pub fn card_command(code: &str) -> String {
    format!("portal card sign --code {code}")
}

impl SignInPage {
    pub fn code_spelled(&self) -> String {
        spell_code(&self.shell, &self.code)
    }

    pub fn demo_reader_href(&self) -> String {
        demo_reader_href(&self.code)
    }

    pub fn card_command(&self) -> String {
        card_command(&self.code)
    }

    /// Seconds the code stays valid, for the script to stop polling when it has expired.
    pub fn expires_in_seconds(&self) -> u64 {
        self.expires_in_minutes.saturating_mul(60)
    }
}

impl SignInFailedPage {
    /// The page heading (also the `<title>`, after the "エラー: " prefix).
    pub fn heading(&self) -> &'static str {
        let t = |key| self.shell.t(key);
        match self.reason {
            SignInFailure::Expired => t("sign_in_failed.expired.heading"),
            SignInFailure::Revoked => t("sign_in_failed.revoked.heading"),
            SignInFailure::UnknownCard => t("sign_in_failed.unknown_card.heading"),
            SignInFailure::CardExpired => t("sign_in_failed.card_expired.heading"),
            SignInFailure::UnknownIssuer => t("sign_in_failed.unknown_issuer.heading"),
            SignInFailure::Locked => t("sign_in_failed.locked.heading"),
            SignInFailure::TooManyAttempts => t("sign_in_failed.too_many_attempts.heading"),
            SignInFailure::BadSignature => t("sign_in_failed.bad_signature.heading"),
            SignInFailure::OtherBrowser => t("sign_in_failed.other_browser.heading"),
            SignInFailure::OtherPerson => t("sign_in_failed.other_person.heading"),
        }
    }

    /// What happened, in plain words.
    pub fn body(&self) -> &'static str {
        let t = |key| self.shell.t(key);
        match self.reason {
            SignInFailure::Expired => t("sign_in_failed.expired.body"),
            SignInFailure::Revoked => t("sign_in_failed.revoked.body"),
            SignInFailure::UnknownCard => t("sign_in_failed.unknown_card.body"),
            SignInFailure::CardExpired => t("sign_in_failed.card_expired.body"),
            SignInFailure::UnknownIssuer => t("sign_in_failed.unknown_issuer.body"),
            SignInFailure::Locked => t("sign_in_failed.locked.body"),
            SignInFailure::TooManyAttempts => t("sign_in_failed.too_many_attempts.body"),
            SignInFailure::BadSignature => t("sign_in_failed.bad_signature.body"),
            SignInFailure::OtherBrowser => t("sign_in_failed.other_browser.body"),
            SignInFailure::OtherPerson => t("sign_in_failed.other_person.body"),
        }
    }

    /// What the citizen can do next.
    pub fn next(&self) -> &'static str {
        let t = |key| self.shell.t(key);
        match self.reason {
            SignInFailure::Expired => t("sign_in_failed.expired.next"),
            SignInFailure::Revoked => t("sign_in_failed.revoked.next"),
            SignInFailure::UnknownCard => t("sign_in_failed.unknown_card.next"),
            SignInFailure::CardExpired => t("sign_in_failed.card_expired.next"),
            SignInFailure::UnknownIssuer => t("sign_in_failed.unknown_issuer.next"),
            SignInFailure::Locked => t("sign_in_failed.locked.next"),
            SignInFailure::TooManyAttempts => t("sign_in_failed.too_many_attempts.next"),
            SignInFailure::BadSignature => t("sign_in_failed.bad_signature.next"),
            SignInFailure::OtherBrowser => t("sign_in_failed.other_browser.next"),
            SignInFailure::OtherPerson => t("sign_in_failed.other_person.next"),
        }
    }

    /// A locked PIN has two ways out (the municipal office, or a convenience-store kiosk with the signature
    /// password), listed on the page.
    pub fn is_locked(&self) -> bool {
        self.reason == SignInFailure::Locked
    }
}

/// My page's links to what stays the principal's own, left out for a proxy acting for them (the server refuses
/// those pages to a proxy whatever the links).
const PRINCIPALS_OWN: [&str; 4] = [
    "/account",
    "/settings/email",
    "/settings/apps",
    "/settings/proxies",
];

impl MyPage {
    /// What the citizen can do now, each a link: (href, title, description).
    pub fn available(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let t = |key| self.shell.t(key);
        vec![
            (
                "/my-data",
                t("home.features.my_data_title"),
                t("home.features.my_data"),
            ),
            (
                "/history",
                t("home.features.records_title"),
                t("home.features.records"),
            ),
            (
                "/notices",
                t("home.features.notices_title"),
                t("home.features.notices"),
            ),
            (
                "/services",
                t("home.features.apply_title"),
                t("home.features.apply"),
            ),
            (
                "/applications",
                t("applications.title"),
                t("applications.lead"),
            ),
            ("/account", t("account.menu_title"), t("account.menu_text")),
            (
                "/settings/email",
                t("email.settings.menu_title"),
                t("email.settings.menu_text"),
            ),
            ("/settings/apps", t("apps.menu_title"), t("apps.menu_text")),
            (
                "/settings/proxies",
                t("proxies.menu_title"),
                t("proxies.menu_text"),
            ),
        ]
        .into_iter()
        // A proxy acting for someone is not offered what stays the principal's own.
        .filter(|(href, _, _)| !self.acting() || !PRINCIPALS_OWN.contains(href))
        .collect()
    }

    /// Whether the user is acting as someone's proxy on this page.
    pub fn acting(&self) -> bool {
        self.shell
            .session
            .as_ref()
            .is_some_and(|s| s.acting_for.is_some())
    }

    /// What the signed-in page will offer, shown as plain text (no links yet): (title, description). Empty
    /// while everything announced is available; the page then leaves the section out.
    pub fn coming_soon(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }
}

impl SignedOutPage {
    /// The page heading and `<title>`: after the idle time-out, after "sign out everywhere", or after an
    /// ordinary sign-out (the time-out wins if both are set).
    pub fn heading(&self) -> &'static str {
        if self.timed_out {
            self.shell.t("signed_out.timed_out.heading")
        } else if self.everywhere {
            self.shell.t("signed_out.everywhere.heading")
        } else {
            self.shell.t("signed_out.heading")
        }
    }

    /// The confirmation banner's text.
    pub fn banner(&self) -> &'static str {
        if self.timed_out {
            self.shell.t("signed_out.timed_out.banner")
        } else if self.everywhere {
            self.shell.t("signed_out.everywhere.banner")
        } else {
            self.shell.t("signed_out.banner")
        }
    }
}

impl SessionWarningPage {
    /// "2 minutes" / "30 seconds".
    pub fn time_left(&self) -> String {
        self.shell.duration_text(self.seconds_left)
    }

    /// When the session has surely ended, the page reloads itself (without JavaScript through a meta
    /// refresh, with it through portal.js) so the server can say the citizen was signed out. `None` when
    /// no time is left, so a page rendered for an ended session never reloads in a loop.
    pub fn reload_after(&self) -> Option<u64> {
        (self.seconds_left > 0).then(|| self.seconds_left.saturating_add(2))
    }
}

impl DemoReaderPage {
    /// Whether the page shows errors (its title then starts with "エラー: ").
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The `card` radios: (value, label, hint, checked).
    pub fn card_options(&self) -> Vec<(&str, &str, &'static str, bool)> {
        self.cards
            .iter()
            .map(|card| {
                (
                    card.id.as_str(),
                    card.label.as_str(),
                    "",
                    card.id == self.form.card,
                )
            })
            .collect()
    }

    /// Error messages with the tries left filled in (`demo_reader.errors.pin_wrong`).
    pub fn messages(&self) -> crate::components::CountedMessages {
        self.shell.counted(self.tries_left.map(u64::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn codes_round_trip() {
        for failure in SignInFailure::ALL {
            assert_eq!(SignInFailure::from_code(failure.code()), Some(failure));
        }
        assert_eq!(SignInFailure::from_code("nope"), None);
    }

    fn sign_in(lang: Lang, code: &str) -> SignInPage {
        SignInPage {
            shell: Shell {
                lang,
                ..Shell::default()
            },
            code: code.into(),
            qr_url: String::new(),
            respond_url: String::new(),
            status_url: String::new(),
            expires_in_minutes: 5,
            demo: false,
            still_waiting: false,
        }
    }

    #[test]
    fn code_is_spelt_out_for_screen_readers() {
        assert_eq!(
            sign_in(Lang::En, "K7Q2-M9XD").code_spelled(),
            "K 7 Q 2, M 9 X D"
        );
        assert_eq!(
            sign_in(Lang::Ja, "K7Q2-M9XD").code_spelled(),
            "K 7 Q 2、M 9 X D"
        );
        assert_eq!(sign_in(Lang::Ja, "AB").code_spelled(), "A B");
        assert_eq!(
            sign_in(Lang::Ja, "A&B").demo_reader_href(),
            "/sign-in/demo-reader?code=A%26B"
        );
    }

    #[test]
    fn wrong_pin_message_names_the_tries_left() {
        let en = Lang::En;
        let key = "demo_reader.errors.pin_wrong";
        let two = crate::components::CountedMessages::new(en, Some(2)).t(key);
        assert!(two.contains('2') && !two.contains("{count}"), "{two}");
        let one = crate::components::CountedMessages::new(en, Some(1)).t(key);
        assert!(one.contains('1') && !one.contains("{count}"), "{one}");
        assert_ne!(one.replace('1', "2"), two, "English needs the singular");
        let none = crate::components::CountedMessages::new(en, None).t(key);
        assert!(!none.contains("{count}"), "{none}");
    }

    #[test]
    fn warning_page_reloads_only_while_time_is_left() {
        let page = |seconds_left| SessionWarningPage {
            shell: Shell::default(),
            seconds_left,
        };
        assert_eq!(page(120).reload_after(), Some(122));
        assert_eq!(page(0).reload_after(), None);
    }
}
