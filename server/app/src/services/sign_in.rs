//! Signing in with the My Number Card: challenge, card response, and handing the session to the browser
//! that asked — only that one.
//!
//! 1. The browser asks for a challenge: a random nonce under a short code, single use, 5 minutes, bound to
//!    a secret cookie of that browser.
//! 2. The card app fetches the challenge by its code, signs [`message_to_sign`] with the card's
//!    authentication key (PKCS#1 v1.5, SHA-256) after the PIN, and posts certificate and signature.
//! 3. The server checks signature, chain, validity and CRL, maps the certificate serial to a citizen, and
//!    records the outcome for the waiting browser.
//! 4. The waiting browser (same secret cookie) collects the outcome and gets a fresh session.

use std::time::Duration;

use portal_card::VerifyError;
use portal_storage::ids::{CitizenId, SecurityEventId};
use portal_storage::models::citizen::Citizen;
use portal_storage::models::security_event::SecurityEvent;
use portal_storage::now_millis;
use portal_web::pages::sign_in::SignInFailure;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::random::token;
use crate::services::application_signing::{self, Document};
use crate::state::AppState;

pub const CHALLENGE_TTL: Duration = Duration::from_secs(5 * 60);
const CARD_WINDOW: Duration = Duration::from_secs(10 * 60);

const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Challenge {
    nonce: String,
    /// SHA-256 of the browser's secret cookie (or, to confirm an action, of the session it is bound to).
    browser: String,
    /// What the card confirms when this is not a sign-in (see [`crate::services::card_check`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    purpose: Option<String>,
    /// What the card signs when an application is signed (see [`application_signing`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document: Option<Document>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Outcome {
    browser: String,
    citizen: Option<String>,
    failure: Option<String>,
}

/// What a card app needs to answer a challenge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChallengeInfo {
    pub code: String,
    pub origin: String,
    pub nonce: String,
    /// `None` for a sign-in; what is being confirmed otherwise.
    pub purpose: Option<String>,
    /// The application being signed: the card signs its digest with the signature key instead of
    /// [`ChallengeInfo::message`] with the authentication key.
    pub document: Option<Document>,
}

impl ChallengeInfo {
    /// The bytes the card signs for this challenge.
    pub fn message(&self) -> Vec<u8> {
        match &self.purpose {
            None => message_to_sign(&self.origin, &self.code, &self.nonce),
            Some(purpose) => confirm_message(purpose, &self.origin, &self.code, &self.nonce),
        }
    }
}

/// The exact bytes the card signs. Versioned and bound to the portal's origin, the code and the nonce, so a
/// signature cannot be replayed against another challenge or another site.
pub fn message_to_sign(origin: &str, code: &str, nonce: &str) -> Vec<u8> {
    format!("mynaportal-sign-in-v1\norigin={origin}\ncode={code}\nnonce={nonce}\n").into_bytes()
}

/// What the card signs to confirm an action: a message of its own kind naming the action, so a signature
/// given to sign in can never stand for a confirmation, nor one action's for another's.
pub fn confirm_message(purpose: &str, origin: &str, code: &str, nonce: &str) -> Vec<u8> {
    format!(
        "mynaportal-confirm-v1\npurpose={purpose}\norigin={origin}\ncode={code}\nnonce={nonce}\n"
    )
    .into_bytes()
}

pub(crate) fn digest(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Normalizes what a person typed: upper case, no spaces or hyphens, and the look-alikes O/I/L read as 0/1/1.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// The code as shown: two groups of four.
pub fn display_code(code: &str) -> String {
    match code.split_at_checked(4) {
        Some((a, b)) => format!("{a}-{b}"),
        None => code.to_owned(),
    }
}

pub(crate) async fn within_limit(
    state: &AppState,
    key: &str,
    limit: i64,
    window: Duration,
) -> Result<bool, AppError> {
    Ok(state.kv.incr(key, window).await? <= limit)
}

/// Starts a challenge for the browser holding `browser_secret`; returns its code.
pub async fn start(
    state: &AppState,
    browser_secret: &str,
    client: &str,
) -> Result<Result<String, SignInFailure>, AppError> {
    start_for(state, browser_secret, client, None).await
}

/// Starts a challenge; with a `purpose`, one that confirms an action instead of signing in.
pub async fn start_for(
    state: &AppState,
    browser_secret: &str,
    client: &str,
    purpose: Option<&str>,
) -> Result<Result<String, SignInFailure>, AppError> {
    start_challenge(state, browser_secret, client, purpose, None).await
}

/// Starts a challenge of any kind: a sign-in, a confirmation (`purpose`), or the signing of a `document`.
pub(crate) async fn start_challenge(
    state: &AppState,
    browser_secret: &str,
    client: &str,
    purpose: Option<&str>,
    document: Option<Document>,
) -> Result<Result<String, SignInFailure>, AppError> {
    if !within_limit(
        state,
        &format!("rl:challenge:{client}"),
        state.config.sign_in_limit_per_address,
        Duration::from_secs(60),
    )
    .await?
    {
        return Ok(Err(SignInFailure::TooManyAttempts));
    }
    let code: String = {
        let mut rng = rand::rng();
        (0..8)
            .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
            .collect()
    };
    let challenge = Challenge {
        nonce: token(32),
        browser: digest(browser_secret),
        purpose: purpose.map(str::to_owned),
        document,
    };
    let json =
        serde_json::to_string(&challenge).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .kv
        .put(&format!("challenge:{code}"), &json, CHALLENGE_TTL)
        .await?;
    Ok(Ok(code))
}

/// The challenge behind a code, for the card app; `None` when unknown, used or expired.
pub async fn challenge_info(
    state: &AppState,
    code: &str,
) -> Result<Option<ChallengeInfo>, AppError> {
    let code = normalize_code(code);
    let Some(json) = state.kv.get(&format!("challenge:{code}")).await? else {
        return Ok(None);
    };
    let Ok(challenge) = serde_json::from_str::<Challenge>(&json) else {
        return Ok(None);
    };
    Ok(Some(ChallengeInfo {
        code,
        origin: state.config.public_url(),
        nonce: challenge.nonce,
        purpose: challenge.purpose,
        document: challenge.document,
    }))
}

/// Whether the challenge `code` is still waiting for a card.
pub(crate) async fn challenge_pending(state: &AppState, code: &str) -> Result<bool, AppError> {
    Ok(state.kv.get(&format!("challenge:{code}")).await?.is_some())
}

fn failure_for(error: &VerifyError) -> SignInFailure {
    match error {
        VerifyError::UnknownIssuer | VerifyError::WrongUsage | VerifyError::WrongKey => {
            SignInFailure::UnknownIssuer
        }
        VerifyError::Expired | VerifyError::NotYetValid => SignInFailure::CardExpired,
        VerifyError::Revoked => SignInFailure::Revoked,
        _ => SignInFailure::BadSignature,
    }
}

pub(crate) async fn audit(
    state: &AppState,
    kind: &str,
    serial: Option<String>,
    citizen: Option<CitizenId>,
    client: &str,
    detail: String,
) {
    let event = SecurityEvent {
        id: SecurityEventId::new(),
        at: now_millis(),
        kind: kind.to_owned(),
        serial,
        citizen_id: citizen,
        client_addr: client.to_owned(),
        detail,
    };
    if let Err(e) = state
        .db
        .run(move |c| SecurityEvent::record(c, &event))
        .await
    {
        tracing::error!(error = %e, "writing the security audit log failed");
    }
}

/// Checks a card's answer. On success or failure the outcome waits for the browser that started the
/// challenge; the card app is told the result either way.
pub async fn respond(
    state: &AppState,
    code: &str,
    certificate: &[u8],
    signature: &[u8],
    client: &str,
) -> Result<Result<(), SignInFailure>, AppError> {
    let code = normalize_code(code);
    if !within_limit(
        state,
        &format!("rl:response:{client}"),
        state.config.sign_in_limit_per_address,
        Duration::from_secs(60),
    )
    .await?
    {
        audit(
            state,
            "sign_in.rate_limited",
            None,
            None,
            client,
            "per address".to_owned(),
        )
        .await;
        return Ok(Err(SignInFailure::TooManyAttempts));
    }
    // Taking the challenge makes it single use: a replayed response finds nothing.
    let Some(json) = state.kv.take(&format!("challenge:{code}")).await? else {
        audit(
            state,
            "sign_in.expired",
            None,
            None,
            client,
            format!("code {code}"),
        )
        .await;
        return Ok(Err(SignInFailure::Expired));
    };
    let challenge: Challenge =
        serde_json::from_str(&json).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if let Some(document) = challenge.document {
        return application_signing::respond(
            state,
            &code,
            challenge.browser,
            document,
            certificate,
            signature,
            client,
        )
        .await;
    }
    let message = ChallengeInfo {
        code: code.clone(),
        origin: state.config.public_url(),
        nonce: challenge.nonce.clone(),
        purpose: challenge.purpose.clone(),
        document: None,
    }
    .message();
    let verdict = state.cards.verifier().verify(
        certificate,
        &message,
        signature,
        time::OffsetDateTime::now_utc(),
    );
    let result = match verdict {
        Err(e) => {
            audit(
                state,
                &format!("sign_in.{}", failure_for(&e).code()),
                None,
                None,
                client,
                e.to_string(),
            )
            .await;
            Err(failure_for(&e))
        }
        Ok(cert) => {
            let serial = cert.serial_hex.clone();
            if !within_limit(
                state,
                &format!("rl:card:{serial}"),
                state.config.sign_in_limit_per_card,
                CARD_WINDOW,
            )
            .await?
            {
                audit(
                    state,
                    "sign_in.rate_limited",
                    Some(serial),
                    None,
                    client,
                    "per card".to_owned(),
                )
                .await;
                Err(SignInFailure::TooManyAttempts)
            } else {
                // Look-up and audit line in one trip to the database.
                let client = client.to_owned();
                state
                    .db
                    .run(move |c| {
                        let citizen = Citizen::find_by_card_serial(c, &serial)?;
                        let kind = if citizen.is_some() {
                            "sign_in.success"
                        } else {
                            "sign_in.unknown_card"
                        };
                        let event = SecurityEvent {
                            id: SecurityEventId::new(),
                            at: now_millis(),
                            kind: kind.to_owned(),
                            serial: Some(serial),
                            citizen_id: citizen.as_ref().map(|c| c.id),
                            client_addr: client,
                            detail: String::new(),
                        };
                        SecurityEvent::record(c, &event)?;
                        Ok(citizen.map(|c| c.id).ok_or(SignInFailure::UnknownCard))
                    })
                    .await?
            }
        }
    };
    let outcome = match &result {
        Ok(citizen) => Outcome {
            browser: challenge.browser,
            citizen: Some(citizen.to_string()),
            failure: None,
        },
        Err(failure) => Outcome {
            browser: challenge.browser,
            citizen: None,
            failure: Some(failure.code().to_owned()),
        },
    };
    let json = serde_json::to_string(&outcome).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state
        .kv
        .put(&format!("outcome:{code}"), &json, CHALLENGE_TTL)
        .await?;
    Ok(result.map(|_| ()))
}

/// Where a waiting browser stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pending,
    SignedIn(CitizenId),
    Failed(SignInFailure),
}

/// The outcome for this browser, without consuming it (the polling script asks repeatedly).
pub async fn status(
    state: &AppState,
    code: &str,
    browser_secret: &str,
) -> Result<Status, AppError> {
    let code = normalize_code(code);
    match state.kv.get(&format!("outcome:{code}")).await? {
        Some(json) => Ok(outcome_status(&json, browser_secret)),
        None if state.kv.get(&format!("challenge:{code}")).await?.is_some() => Ok(Status::Pending),
        None => Ok(Status::Failed(SignInFailure::Expired)),
    }
}

fn outcome_status(json: &str, browser_secret: &str) -> Status {
    let Ok(outcome) = serde_json::from_str::<Outcome>(json) else {
        return Status::Failed(SignInFailure::Expired);
    };
    if outcome.browser != digest(browser_secret) {
        return Status::Failed(SignInFailure::OtherBrowser);
    }
    match (
        outcome.citizen.and_then(|c| c.parse().ok()),
        outcome
            .failure
            .as_deref()
            .and_then(SignInFailure::from_code),
    ) {
        (Some(citizen), _) => Status::SignedIn(citizen),
        (None, Some(failure)) => Status::Failed(failure),
        (None, None) => Status::Failed(SignInFailure::Expired),
    }
}

/// Collects a successful outcome, once: the session is handed out a single time.
pub async fn complete(
    state: &AppState,
    code: &str,
    browser_secret: &str,
) -> Result<Status, AppError> {
    let code = normalize_code(code);
    let status = status(state, &code, browser_secret).await?;
    if let Status::SignedIn(_) = status
        && state.kv.take(&format!("outcome:{code}")).await?.is_none()
    {
        return Ok(Status::Failed(SignInFailure::Expired));
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_forgiving_to_type() {
        assert_eq!(normalize_code(" k7q2-m9xd "), "K7Q2M9XD");
        assert_eq!(normalize_code("OIL0"), "0110");
        assert_eq!(display_code("K7Q2M9XD"), "K7Q2-M9XD");
    }

    #[test]
    fn the_signed_message_binds_origin_code_and_nonce() {
        let m = message_to_sign("https://portal.example", "K7Q2M9XD", "abc");
        assert_eq!(
            m,
            b"mynaportal-sign-in-v1\norigin=https://portal.example\ncode=K7Q2M9XD\nnonce=abc\n"
        );
    }

    #[test]
    fn an_outcome_belongs_to_the_browser_that_started_it() {
        let citizen = CitizenId::new();
        let json = serde_json::to_string(&Outcome {
            browser: digest("mine"),
            citizen: Some(citizen.to_string()),
            failure: None,
        })
        .expect("json");
        assert_eq!(outcome_status(&json, "mine"), Status::SignedIn(citizen));
        assert_eq!(
            outcome_status(&json, "theirs"),
            Status::Failed(SignInFailure::OtherBrowser)
        );
    }
}
