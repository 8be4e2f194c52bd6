//! Signing an application electronically before it is sent (電子署名), as the real portal does for
//! e-applications: the citizen's card signs the submission's digest with its signature key (署名用電子証明書,
//! the 6–16 character password), and the portal keeps the signature with the application.
//!
//! 1. Check your answers offers "sign and send". The signing page starts a challenge of the sign-in kind
//!    ([`crate::services::sign_in`]) with the purpose [`PURPOSE`], bound to this session and this application,
//!    carrying the digest of the submission ([`canonical_form`]).
//! 2. The card app shows the form's title and the digest, asks for the signature password and signs the
//!    digest (PKCS#1 v1.5, SHA-256); it posts the signature and the signature certificate.
//! 3. [`respond`] checks the certificate against the signature CA (chain, validity, CRL, usages), the
//!    signature over the digest, and that the certificate names the signed-in citizen (name and birth date
//!    as the portal holds them); the outcome waits for this session.
//! 4. Sending collects it ([`complete`]), computes the digest again from the answers as they are now and
//!    sends only if it is unchanged, storing the signature in the same transaction
//!    ([`crate::services::applications::submit_signed`]).
//!
//! The card and its CAs are simulated (see `portal-card`): nothing here is a legally valid signature.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portal_card::{SignatureIdentity, read_signature_identity};
use portal_forms::answers::{self, Answers};
use portal_storage::ids::{ApplicationId, ApplicationSignatureId, CitizenId};
use portal_storage::models::application::ApplicationSignature;
use portal_storage::models::citizen::Citizen;
use portal_storage::now_millis;
use portal_web::pages::sign_in::SignInFailure;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::extract::SignedIn;
use crate::error::AppError;
use crate::services::applications::Opened;
use crate::services::sign_in::{self, CHALLENGE_TTL};
use crate::state::AppState;

/// The challenge's purpose: signing an application.
pub const PURPOSE: &str = "application.sign";
/// The first line of the canonical form; a new layout gets a new version.
pub const FORMAT: &str = "mynaportal-application-v1";
const CARD_WINDOW: Duration = Duration::from_secs(10 * 60);

/// The exact bytes a signature covers (their SHA-256 is what the card signs):
///
/// ```text
/// mynaportal-application-v1
/// application=<application id, hyphenated lower-case UUID>
/// form=<form key>
/// version=<form version>
/// answers=<the answers as stored, canonical JSON>
/// ```
///
/// with a line feed after each line, in UTF-8. `answers` is what sending stores: the
/// `portal_forms::answers::Answers` JSON without the answers a condition hides, written with object keys
/// sorted by their UTF-8 bytes, no insignificant white space, and strings escaped as serde_json escapes
/// them (only `"`, `\` and control characters; everything else as is). The application id binds the
/// signature to one application, the form key and version to what the questions were. A file answer is
/// covered by its stored reference (key, name, type, size), not by the file's bytes.
pub fn canonical_form(
    application: ApplicationId,
    form_key: &str,
    version: i32,
    answers: &Answers,
) -> Result<Vec<u8>, AppError> {
    let value =
        serde_json::to_value(answers).map_err(|e| AppError::BadRequest(format!("answers: {e}")))?;
    let mut json = String::new();
    canonical_json(&value, &mut json)?;
    Ok(format!(
        "{FORMAT}\napplication={application}\nform={form_key}\nversion={version}\nanswers={json}\n"
    )
    .into_bytes())
}

fn canonical_json(value: &serde_json::Value, out: &mut String) -> Result<(), AppError> {
    use serde_json::Value;
    let string = |s: &str| {
        serde_json::to_string(s).map_err(|e| AppError::BadRequest(format!("answers: {e}")))
    };
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => out.push_str(&value.to_string()),
        Value::String(s) => out.push_str(&string(s)?),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Sorted here, whatever order the map keeps.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&string(key)?);
                out.push(':');
                if let Some(item) = map.get(key) {
                    canonical_json(item, out)?;
                }
            }
            out.push('}');
        }
    }
    Ok(())
}

/// SHA-256 of [`canonical_form`], lower-case hex.
pub fn digest_hex(
    application: ApplicationId,
    form_key: &str,
    version: i32,
    answers: &Answers,
) -> Result<String, AppError> {
    let form = canonical_form(application, form_key, version, answers)?;
    Ok(hex::encode(Sha256::digest(&form)))
}

/// The digest of what sending this application now would store.
pub fn digest_of(opened: &Opened) -> Result<String, AppError> {
    let sent = answers::without_hidden(&opened.definition, &opened.answers);
    digest_hex(
        opened.application.id,
        &opened.form.form_key,
        opened.form.version,
        &sent,
    )
}

/// What is being signed, kept with the challenge; the card app is shown all but the citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub application: ApplicationId,
    /// Whose card must sign: the signed-in citizen (the proxy, when acting for someone).
    pub citizen: CitizenId,
    pub form: String,
    pub version: i32,
    pub title_ja: String,
    pub title_en: String,
    /// SHA-256 of the canonical form, lower-case hex.
    pub digest: String,
}

/// A verified signature waiting for the session that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub digest: String,
    /// base64.
    pub signature: String,
    /// The signature certificate, DER, base64.
    pub certificate: String,
    pub signer_name: String,
    /// YYYY-MM-DD.
    pub signer_birth_date: String,
    /// Milliseconds since 1970: when the portal verified it.
    pub signed_at: i64,
}

impl Signed {
    /// The row stored with the application when it is sent.
    pub fn row(&self, application: ApplicationId) -> ApplicationSignature {
        ApplicationSignature {
            id: ApplicationSignatureId::new(),
            application_id: application,
            digest: self.digest.clone(),
            signature: self.signature.clone(),
            certificate: self.certificate.clone(),
            signer_name: self.signer_name.clone(),
            signer_birth_date: self.signer_birth_date.clone(),
            signed_at: self.signed_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outcome {
    browser: String,
    signed: Option<Signed>,
    failure: Option<String>,
}

fn outcome_key(code: &str) -> String {
    format!("signed:{code}")
}

/// The secret the challenge is bound to: this session and this application, so an outcome can be
/// collected by no other session, nor for another application.
fn binding(signed_in: &SignedIn, application: ApplicationId) -> String {
    format!("application-sign:{application}:{}", signed_in.token)
}

/// Starts signing `opened` for the signed-in citizen: the code for the card app and the digest it signs.
pub async fn start(
    state: &AppState,
    signed_in: &SignedIn,
    opened: &Opened,
    client: &str,
) -> Result<Result<(String, String), SignInFailure>, AppError> {
    let digest = digest_of(opened)?;
    let document = Document {
        application: opened.application.id,
        // A proxy signs with their own card, as themselves.
        citizen: signed_in.actor,
        form: opened.form.form_key.clone(),
        version: opened.form.version,
        title_ja: opened.form.title_ja.clone(),
        title_en: opened.form.title_en.clone(),
        digest: digest.clone(),
    };
    let started = sign_in::start_challenge(
        state,
        &binding(signed_in, opened.application.id),
        client,
        Some(PURPOSE),
        Some(document),
    )
    .await?;
    Ok(started.map(|code| (code, digest)))
}

/// Whether the name and birth date on the signature certificate are the citizen's as the portal holds
/// them. Names are compared without spaces: the register and the card may space a name differently
/// ("山田 花子", "山田　花子").
pub fn same_person(identity: &SignatureIdentity, citizen: &Citizen) -> bool {
    let squeeze = |name: &str| -> String { name.chars().filter(|c| !c.is_whitespace()).collect() };
    squeeze(&identity.name) == squeeze(&citizen.name)
        && identity.birth_date.to_string() == citizen.birth_date
}

fn failure_for(error: &portal_card::VerifyError) -> SignInFailure {
    use portal_card::VerifyError as V;
    match error {
        V::UnknownIssuer | V::WrongUsage | V::WrongKey => SignInFailure::UnknownIssuer,
        V::Expired | V::NotYetValid => SignInFailure::CardExpired,
        V::Revoked => SignInFailure::Revoked,
        _ => SignInFailure::BadSignature,
    }
}

/// Checks a card's signature for the signing challenge `code` (already taken, so single use) and keeps
/// the outcome for the session that started it.
pub(crate) async fn respond(
    state: &AppState,
    code: &str,
    browser: String,
    document: Document,
    certificate: &[u8],
    signature: &[u8],
    client: &str,
) -> Result<Result<(), SignInFailure>, AppError> {
    let verdict = check(state, &document, certificate, signature, client).await?;
    let detail = format!("application {}", document.application);
    let (kind, outcome) = match verdict {
        Ok(signed) => (
            "application_sign.success".to_owned(),
            Outcome {
                browser,
                signed: Some(signed),
                failure: None,
            },
        ),
        Err(failure) => (
            format!("application_sign.{}", failure.code()),
            Outcome {
                browser,
                signed: None,
                failure: Some(failure.code().to_owned()),
            },
        ),
    };
    sign_in::audit(state, &kind, None, Some(document.citizen), client, detail).await;
    let result = match &outcome.failure {
        None => Ok(()),
        Some(code) => Err(SignInFailure::from_code(code).unwrap_or(SignInFailure::BadSignature)),
    };
    let json = serde_json::to_string(&outcome).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .kv
        .put(&outcome_key(code), &json, CHALLENGE_TTL)
        .await?;
    Ok(result)
}

async fn check(
    state: &AppState,
    document: &Document,
    certificate: &[u8],
    signature: &[u8],
    client: &str,
) -> Result<Result<Signed, SignInFailure>, AppError> {
    let Some(verifier) = state.cards.signature_verifier() else {
        return Ok(Err(SignInFailure::UnknownIssuer));
    };
    let Ok(digest) = hex::decode(&document.digest) else {
        return Ok(Err(SignInFailure::BadSignature));
    };
    let verified = match verifier.verify_digest(
        certificate,
        &digest,
        signature,
        time::OffsetDateTime::now_utc(),
    ) {
        Ok(verified) => verified,
        Err(e) => {
            tracing::info!(error = %e, client, "an application signature was refused");
            return Ok(Err(failure_for(&e)));
        }
    };
    if !sign_in::within_limit(
        state,
        &format!("rl:card:{}", verified.serial_hex),
        state.config.sign_in_limit_per_card,
        CARD_WINDOW,
    )
    .await?
    {
        return Ok(Err(SignInFailure::TooManyAttempts));
    }
    let Ok(identity) = read_signature_identity(certificate) else {
        return Ok(Err(SignInFailure::UnknownIssuer));
    };
    let citizen_id = document.citizen;
    let citizen = state.db.run(move |c| Citizen::find(c, citizen_id)).await?;
    if !citizen.is_some_and(|citizen| same_person(&identity, &citizen)) {
        return Ok(Err(SignInFailure::OtherPerson));
    }
    Ok(Ok(Signed {
        digest: document.digest.clone(),
        signature: STANDARD.encode(signature),
        certificate: STANDARD.encode(certificate),
        signer_name: identity.name,
        signer_birth_date: identity.birth_date.to_string(),
        signed_at: now_millis(),
    }))
}

/// Where a signing stands for the session that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// The card has not answered yet.
    Pending,
    /// The citizen's own card signed the digest.
    Signed(Box<Signed>),
    Failed(SignInFailure),
}

fn judge(json: &str, browser: &str) -> Signing {
    let Ok(outcome) = serde_json::from_str::<Outcome>(json) else {
        return Signing::Failed(SignInFailure::Expired);
    };
    if outcome.browser != sign_in::digest(browser) {
        return Signing::Failed(SignInFailure::OtherBrowser);
    }
    match (outcome.signed, outcome.failure) {
        (Some(signed), _) => Signing::Signed(Box::new(signed)),
        (None, failure) => Signing::Failed(
            failure
                .as_deref()
                .and_then(SignInFailure::from_code)
                .unwrap_or(SignInFailure::Expired),
        ),
    }
}

/// For the signing page's script and its first showing; does not use the outcome up.
pub async fn status(
    state: &AppState,
    signed_in: &SignedIn,
    application: ApplicationId,
    code: &str,
) -> Result<Signing, AppError> {
    let code = sign_in::normalize_code(code);
    let browser = binding(signed_in, application);
    match state.kv.get(&outcome_key(&code)).await? {
        Some(json) => Ok(judge(&json, &browser)),
        None if sign_in::challenge_pending(state, &code).await? => Ok(Signing::Pending),
        None => Ok(Signing::Failed(SignInFailure::Expired)),
    }
}

/// Collects a signature, once: one signature sends one application.
pub async fn complete(
    state: &AppState,
    signed_in: &SignedIn,
    application: ApplicationId,
    code: &str,
) -> Result<Signing, AppError> {
    let code = sign_in::normalize_code(code);
    let signing = status(state, signed_in, application, &code).await?;
    if let Signing::Signed(_) = signing
        && state.kv.take(&outcome_key(&code)).await?.is_none()
    {
        return Ok(Signing::Failed(SignInFailure::Expired));
    }
    Ok(signing)
}

/// The signature that covers the answers as stored now: the newest whose digest is theirs. A corrected
/// application sent again without signing keeps its earlier signatures, which no longer cover it.
pub fn current<'a>(
    signatures: &'a [ApplicationSignature],
    digest: &str,
) -> Option<&'a ApplicationSignature> {
    signatures.iter().find(|s| s.digest == digest)
}

#[cfg(test)]
mod tests {
    use portal_forms::answers::{AccountValue, Value};

    use super::*;

    fn answers() -> Answers {
        let mut entry = std::collections::BTreeMap::new();
        entry.insert("child_name".to_owned(), Value::text("山田 太郎"));
        entry.insert("child_birth_date".to_owned(), Value::text("2020-05-05"));
        let mut answers = Answers::default();
        answers
            .0
            .insert("name".to_owned(), Value::text("山田 \"花子\""));
        answers.0.insert(
            "children".to_owned(),
            Value::Group {
                entries: vec![entry],
            },
        );
        answers.0.insert(
            "account".to_owned(),
            Value::Account(AccountValue {
                registered: false,
                bank_code: "0001".to_owned(),
                branch_code: "001".to_owned(),
                account_type: "ordinary".to_owned(),
                number: "1234567".to_owned(),
                holder_kana: "ヤマダ ハナコ".to_owned(),
            }),
        );
        answers
    }

    fn id() -> ApplicationId {
        "0190d6a4-5f2e-7c3b-9a1d-2e4f6a8b0c1d".parse().expect("id")
    }

    #[test]
    fn the_canonical_form_is_exactly_as_documented() {
        let form = canonical_form(id(), "child_allowance", 1, &answers()).expect("form");
        let expected = concat!(
            "mynaportal-application-v1\n",
            "application=0190d6a4-5f2e-7c3b-9a1d-2e4f6a8b0c1d\n",
            "form=child_allowance\n",
            "version=1\n",
            "answers={",
            r#""account":{"account_type":"ordinary","bank_code":"0001","branch_code":"001","holder_kana":"ヤマダ ハナコ","number":"1234567","registered":false,"type":"account"},"#,
            r#""children":{"entries":[{"child_birth_date":{"type":"text","value":"2020-05-05"},"child_name":{"type":"text","value":"山田 太郎"}}],"type":"group"},"#,
            r#""name":{"type":"text","value":"山田 \"花子\""}"#,
            "}\n",
        );
        assert_eq!(String::from_utf8(form).expect("utf-8"), expected);
    }

    #[test]
    fn the_digest_is_stable_and_sha256_of_the_form() {
        let a = digest_hex(id(), "child_allowance", 1, &answers()).expect("digest");
        let b = digest_hex(id(), "child_allowance", 1, &answers().clone()).expect("digest");
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        let form = canonical_form(id(), "child_allowance", 1, &answers()).expect("form");
        assert_eq!(a, hex::encode(Sha256::digest(&form)));
    }

    #[test]
    fn any_change_to_what_is_sent_changes_the_digest() {
        let base = digest_hex(id(), "child_allowance", 1, &answers()).expect("digest");
        let mut changed: Vec<Answers> = Vec::new();
        let mut a = answers();
        a.0.insert("name".to_owned(), Value::text("山田 \"花子\" "));
        changed.push(a);
        let mut a = answers();
        if let Some(Value::Group { entries }) = a.0.get_mut("children")
            && let Some(entry) = entries.first_mut()
        {
            entry.insert("child_birth_date".to_owned(), Value::text("2020-05-06"));
        }
        changed.push(a);
        let mut a = answers();
        if let Some(Value::Account(account)) = a.0.get_mut("account") {
            account.number = "1234568".to_owned();
        }
        changed.push(a);
        let mut a = answers();
        a.0.insert("note".to_owned(), Value::text(""));
        changed.push(a);
        let mut a = answers();
        a.0.remove("account");
        changed.push(a);
        let mut a = answers();
        if let Some(value) = a.0.remove("name") {
            a.0.insert("name2".to_owned(), value);
        }
        changed.push(a);
        for (i, a) in changed.iter().enumerate() {
            assert_ne!(
                digest_hex(id(), "child_allowance", 1, a).expect("digest"),
                base,
                "change {i}"
            );
        }
        let other: ApplicationId = "0190d6a4-5f2e-7c3b-9a1d-2e4f6a8b0c1e".parse().expect("id");
        assert_ne!(
            digest_hex(other, "child_allowance", 1, &answers()).expect("d"),
            base
        );
        assert_ne!(
            digest_hex(id(), "child_allowance", 2, &answers()).expect("d"),
            base
        );
        assert_ne!(
            digest_hex(id(), "child_allowances", 1, &answers()).expect("d"),
            base
        );
    }

    fn citizen(name: &str, birth_date: &str) -> Citizen {
        Citizen {
            id: CitizenId::new(),
            name: name.to_owned(),
            name_kana: String::new(),
            birth_date: birth_date.to_owned(),
            sex: "female".to_owned(),
            address: String::new(),
            municipality_code: "131016".to_owned(),
            email: None,
            lang: "ja".to_owned(),
            created_at: 0,
        }
    }

    #[test]
    fn the_certificate_must_name_the_citizen() {
        let identity = SignatureIdentity {
            name: "山田　花子".to_owned(),
            birth_date: time::macros::date!(1990 - 04 - 01),
            sex: portal_card::Sex::Female,
            address: "東京都千代田区".to_owned(),
        };
        assert!(same_person(&identity, &citizen("山田 花子", "1990-04-01")));
        assert!(same_person(&identity, &citizen("山田花子", "1990-04-01")));
        assert!(!same_person(&identity, &citizen("山田 太郎", "1990-04-01")));
        assert!(!same_person(&identity, &citizen("山田 花子", "1990-04-02")));
    }

    #[test]
    fn an_outcome_belongs_to_the_session_that_started_it() {
        let json = serde_json::to_string(&Outcome {
            browser: sign_in::digest("mine"),
            signed: None,
            failure: Some("other_person".to_owned()),
        })
        .expect("json");
        assert_eq!(
            judge(&json, "mine"),
            Signing::Failed(SignInFailure::OtherPerson)
        );
        assert_eq!(
            judge(&json, "theirs"),
            Signing::Failed(SignInFailure::OtherBrowser)
        );
    }
}
