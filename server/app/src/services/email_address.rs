//! The citizen's address for notice alerts: a new or changed address is proved with a 6-digit code sent to
//! it, and only then replaces the confirmed one; the categories that alert; removal; and the unsubscribe
//! link in every alert, which works without signing in.
//!
//! A change waits in the key-value store under [`pending_key`]: the address, a salted hash of the code,
//! the wrong tries so far and when the code expires. The entry is kept longer than the code lasts, so an
//! expired code can be told apart from a change that was never asked for.

use std::time::Duration;

use portal_storage::ids::CitizenId;
use portal_storage::models::email_address::{EmailAddress, Saved};
use portal_storage::models::notice::NoticeCategory;
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::now_millis;
use portal_web::Lang;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::random::token;
use crate::state::AppState;

/// How long a code works after it is sent.
pub const CODE_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a pending change is remembered: longer than the code, so a late try hears "expired".
const PENDING_KEPT: Duration = Duration::from_secs(60 * 60);
/// Wrong codes allowed before the pending change is void.
pub const MAX_TRIES: u32 = 5;
/// Codes a citizen may have sent per [`CODE_WINDOW`]: each is a mail to an address nobody has proved yet,
/// so this bounds how much the portal can be made to send to a stranger.
pub const MAX_CODES: i64 = 5;
const CODE_WINDOW: Duration = Duration::from_secs(60 * 60);

/// A change of address waiting for its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub address: String,
    /// Random, per code: salts the hash and names the tries counter, so a new code starts afresh.
    pub salt: String,
    /// Hex SHA-256 of salt and code. Keeps the code out of plain sight in the store; it is not meant to
    /// resist someone who can read the store (a million codes are quickly tried).
    pub code_hash: String,
    /// Wrong codes entered so far.
    pub tries: u32,
    /// Unix milliseconds after which the code no longer works.
    pub expires_at: i64,
}

/// The store key of the citizen's pending change (public so tests can age the entry).
pub fn pending_key(citizen: CitizenId) -> String {
    format!("email_change:{citizen}")
}

fn tries_key(citizen: CitizenId, salt: &str) -> String {
    format!("email_change_tries:{citizen}:{salt}")
}

fn code_hash(salt: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{code}").as_bytes()))
}

fn encode(pending: &PendingChange) -> Result<String, AppError> {
    serde_json::to_string(pending).map_err(|e| AppError::BadRequest(e.to_string()))
}

/// The confirmed address, if any.
pub async fn current(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Option<EmailAddress>, AppError> {
    Ok(state
        .db
        .run(move |c| EmailAddress::find_by_citizen(c, citizen))
        .await?)
}

/// The change waiting for its code, if any (also when its code has expired or was tried too often).
pub async fn pending(
    state: &AppState,
    citizen: CitizenId,
) -> Result<Option<PendingChange>, AppError> {
    let Some(json) = state.kv.get(&pending_key(citizen)).await? else {
        return Ok(None);
    };
    // An entry written by an older version is treated as absent: the citizen asks for a new code.
    Ok(serde_json::from_str(&json).ok())
}

/// Whether a code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSent {
    Sent,
    /// [`MAX_CODES`] in the last hour already.
    TooMany,
}

/// Sends a new code to `address` (already validated) and makes it the pending change, replacing any
/// earlier one. The confirmed address stays as it is.
pub async fn request_code(
    state: &AppState,
    citizen: CitizenId,
    address: &str,
    lang: Lang,
) -> Result<CodeSent, AppError> {
    let sent = state
        .kv
        .incr(&format!("rl:email_code:{citizen}"), CODE_WINDOW)
        .await?;
    if sent > MAX_CODES {
        return Ok(CodeSent::TooMany);
    }
    // Uniform over 000000–999999: random_range has no modulo bias.
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let salt = token(16);
    let now = now_millis();
    let pending = PendingChange {
        address: address.to_owned(),
        code_hash: code_hash(&salt, &code),
        salt,
        tries: 0,
        expires_at: now.saturating_add(millis(CODE_TTL)),
    };
    state
        .kv
        .put(&pending_key(citizen), &encode(&pending)?, PENDING_KEPT)
        .await?;
    let mut mail = OutboxMail::queued(
        purpose::CONFIRM_ADDRESS,
        format!("confirm_address:{citizen}:{}", token(16)),
        address.to_owned(),
        lang.code().to_owned(),
        serde_json::json!({ "code": code }).to_string(),
        now,
    );
    mail.citizen_id = Some(citizen);
    state
        .db
        .run(move |c| OutboxMail::enqueue(c, &[mail]))
        .await?;
    Ok(CodeSent::Sent)
}

/// "Send a new code": a fresh code (and tries) for the pending address. `None` when nothing is pending.
pub async fn resend(
    state: &AppState,
    citizen: CitizenId,
    lang: Lang,
) -> Result<Option<CodeSent>, AppError> {
    let Some(pending) = pending(state, citizen).await? else {
        return Ok(None);
    };
    Ok(Some(
        request_code(state, citizen, &pending.address, lang).await?,
    ))
}

/// What became of a typed code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    Confirmed(Saved),
    Wrong {
        tries_left: u32,
    },
    /// The fifth wrong code, or any code after it: the change is void until a new code is sent.
    TooManyTries,
    /// The code is past [`CODE_TTL`], or no change is pending any more.
    Expired,
}

/// Checks `code` (6 ASCII digits) against the pending change and, when it matches, makes the pending
/// address the confirmed one.
pub async fn confirm(
    state: &AppState,
    citizen: CitizenId,
    code: &str,
) -> Result<Confirmation, AppError> {
    let Some(mut pending) = pending(state, citizen).await? else {
        return Ok(Confirmation::Expired);
    };
    if pending.tries >= MAX_TRIES {
        return Ok(Confirmation::TooManyTries);
    }
    let now = now_millis();
    if now >= pending.expires_at {
        return Ok(Confirmation::Expired);
    }
    // Counted atomically before comparing: tries sent at the same moment cannot all read "0 used" and so
    // get more than MAX_TRIES guesses between them.
    let attempt = state
        .kv
        .incr(&tries_key(citizen, &pending.salt), PENDING_KEPT)
        .await?;
    let attempt = u32::try_from(attempt).unwrap_or(u32::MAX);
    if attempt > MAX_TRIES {
        return Ok(Confirmation::TooManyTries);
    }
    let matches: bool = code_hash(&pending.salt, code)
        .as_bytes()
        .ct_eq(pending.code_hash.as_bytes())
        .into();
    if !matches {
        pending.tries = attempt;
        let key = pending_key(citizen);
        state.kv.put(&key, &encode(&pending)?, PENDING_KEPT).await?;
        return Ok(if attempt >= MAX_TRIES {
            Confirmation::TooManyTries
        } else {
            Confirmation::Wrong {
                tries_left: MAX_TRIES - attempt,
            }
        });
    }
    // Single use: of two confirmations racing, only the one that takes the entry saves the address.
    let Some(taken) = state.kv.take(&pending_key(citizen)).await? else {
        return Ok(Confirmation::Expired);
    };
    if serde_json::from_str::<PendingChange>(&taken).ok().as_ref() != Some(&pending) {
        // A new code was asked for meanwhile; that one decides. Put it back untouched.
        state
            .kv
            .put(&pending_key(citizen), &taken, PENDING_KEPT)
            .await?;
        return Ok(Confirmation::Expired);
    }
    let fresh_token = token(32);
    let address = pending.address;
    let saved = state
        .db
        .run(move |c| EmailAddress::save_confirmed(c, citizen, &address, &fresh_token, now))
        .await?;
    Ok(Confirmation::Confirmed(saved))
}

/// Chooses the categories that alert. False when the citizen has no address.
pub async fn set_categories(
    state: &AppState,
    citizen: CitizenId,
    categories: Vec<NoticeCategory>,
) -> Result<bool, AppError> {
    let now = now_millis();
    Ok(state
        .db
        .run(move |c| EmailAddress::set_categories(c, citizen, &categories, now))
        .await?)
}

/// Removes the address and any change waiting for its code: no more alerts go.
pub async fn remove(state: &AppState, citizen: CitizenId) -> Result<bool, AppError> {
    state.kv.delete(&pending_key(citizen)).await?;
    Ok(state
        .db
        .run(move |c| EmailAddress::delete(c, citizen))
        .await?)
}

/// Whether `token` could be an unsubscribe token at all (43 URL-safe base64 characters): anything else is
/// answered without a database trip.
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The address behind an unsubscribe link.
pub async fn by_unsubscribe_token(
    state: &AppState,
    token: &str,
) -> Result<Option<EmailAddress>, AppError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let token = token.to_owned();
    Ok(state
        .db
        .run(move |c| EmailAddress::find_by_unsubscribe_token(c, &token))
        .await?)
}

/// Stops every alert for the address behind an unsubscribe link (the address stays). Idempotent; `None`
/// for an unknown link.
pub async fn unsubscribe(state: &AppState, token: &str) -> Result<Option<EmailAddress>, AppError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let (token, now) = (token.to_owned(), now_millis());
    Ok(state
        .db
        .run(move |c| EmailAddress::unsubscribe(c, &token, now))
        .await?)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_categories_are_the_notice_categories() {
        let codes: Vec<&str> = NoticeCategory::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            portal_web::pages::email_settings::EMAIL_CATEGORIES.to_vec()
        );
    }

    #[test]
    fn the_hash_depends_on_salt_and_code() {
        assert_eq!(code_hash("s", "123456"), code_hash("s", "123456"));
        assert_ne!(code_hash("s", "123456"), code_hash("t", "123456"));
        assert_ne!(code_hash("s", "123456"), code_hash("s", "123457"));
    }

    #[test]
    fn unsubscribe_tokens_are_checked_for_shape() {
        assert!(well_formed(&token(32)));
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(44)));
        assert!(!well_formed(&format!("{}=", "a".repeat(42))));
    }
}
