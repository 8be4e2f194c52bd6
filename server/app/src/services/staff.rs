//! Agency staff in the browser console: accounts, signing in with a password (argon2id) and a TOTP code
//! (RFC 6238), lock-out, sessions, roles and the audit log.
//!
//! Signing in is two steps: the login and password, then the six-digit code from the authenticator app.
//! Failures of either step are counted per login name (lower-cased), whether or not such a login exists:
//! after [`MAX_FAILURES`] within [`LOCK_WINDOW`] the login is locked until the window ends, and the answer is
//! the same for a login that exists and one that does not. A wrong login and a wrong password get the same
//! words, and take the same time: an unknown login is checked against a stand-in hash of the same cost.
//! A code is accepted once (its time step is stored), within one step either side of now (clock drift).

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use hmac::{Hmac, Mac};
use portal_storage::ids::{AgencyId, StaffAuditId, StaffId};
use portal_storage::models::agency::Agency;
use portal_storage::models::staff::{AuditEntry, ROLES, StaffMember};
use portal_storage::{StorageError, now_millis};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::random::token;
use crate::services::agencies::{self, AgencyPrincipal};
use crate::state::AppState;

/// Failed steps (password or code) that lock a login.
pub const MAX_FAILURES: i64 = 5;
/// How long failures are counted, and a lock lasts.
pub const LOCK_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Seconds per TOTP step, as authenticator apps use.
const STEP_SECONDS: i64 = 30;
/// A password step passed leaves this long to enter the code.
const PENDING_TTL: Duration = Duration::from_secs(5 * 60);
/// A console session ends after this long without a request…
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// …and this long after signing in, however busy.
pub const ABSOLUTE: Duration = Duration::from_secs(8 * 60 * 60);

pub const SESSION_COOKIE: &str = "staff_session";
pub const PENDING_COOKIE: &str = "staff_pending";

/// What a sign-in step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<T> {
    Passed(T),
    /// Wrong login, password or code: the same answer for each.
    Wrong,
    /// Too many failures for this login: try again after the lock.
    Locked,
}

fn login_digest(login: &str) -> String {
    crate::services::sign_in::digest(&login.trim().to_lowercase())
}

/// Failures are counted atomically under a key that changes when the login signs in, so a success starts
/// the count again (counters themselves cannot be reset).
async fn failures_key(state: &AppState, login: &str) -> Result<String, AppError> {
    let digest = login_digest(login);
    let generation = state
        .kv
        .get(&format!("staff-generation:{digest}"))
        .await?
        .unwrap_or_default();
    Ok(format!("staff-failures:{digest}:{generation}"))
}

fn lock_key(login: &str) -> String {
    format!("staff-locked:{}", login_digest(login))
}

async fn locked(state: &AppState, login: &str) -> Result<bool, AppError> {
    Ok(state.kv.get(&lock_key(login)).await?.is_some())
}

/// Counts a failed step; true when it locked the login (for [`LOCK_WINDOW`]).
async fn failed(state: &AppState, login: &str) -> Result<bool, AppError> {
    let key = failures_key(state, login).await?;
    let count = state.kv.incr(&key, LOCK_WINDOW).await?;
    if count < MAX_FAILURES {
        return Ok(false);
    }
    state.kv.put(&lock_key(login), "1", LOCK_WINDOW).await?;
    Ok(true)
}

/// A login that signed in starts counting failures afresh.
async fn succeeded(state: &AppState, login: &str) -> Result<(), AppError> {
    state
        .kv
        .put(
            &format!("staff-generation:{}", login_digest(login)),
            &token(8),
            LOCK_WINDOW,
        )
        .await?;
    Ok(())
}

/// A stand-in argon2id hash (of a random password nobody knows), checked when the login is unknown so that
/// an unknown login takes as long as a wrong password.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| agencies::hash_secret(&token(24)).unwrap_or_default())
}

async fn verify_password(hash: String, password: String) -> Result<bool, AppError> {
    // argon2 is deliberately slow: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::Storage(StorageError::Task(e)))
}

/// The first step: the login and password. Passed, it gives the token of the pending sign-in, which the
/// code step needs.
pub async fn check_password(
    state: &AppState,
    login: &str,
    password: &str,
) -> Result<Step<String>, AppError> {
    if locked(state, login).await? {
        return Ok(Step::Locked);
    }
    let name = login.trim().to_lowercase();
    let member = state
        .db
        .run(move |c| StaffMember::by_login(c, &name))
        .await?
        .filter(|m| m.disabled_at.is_none());
    let hash = member
        .as_ref()
        .map_or_else(|| stand_in_hash().to_owned(), |m| m.password_hash.clone());
    let valid = verify_password(hash, password.to_owned()).await?;
    let Some(member) = member.filter(|_| valid) else {
        return Ok(if failed(state, login).await? {
            Step::Locked
        } else {
            Step::Wrong
        });
    };
    let pending = token(32);
    state
        .kv
        .put(&pending_key(&pending), &member.id.to_string(), PENDING_TTL)
        .await?;
    Ok(Step::Passed(pending))
}

fn pending_key(token: &str) -> String {
    format!("staff-pending:{}", crate::services::sign_in::digest(token))
}

/// The member a pending sign-in is for; `None` when it expired or was never there.
pub async fn pending(state: &AppState, token: &str) -> Result<Option<StaffMember>, AppError> {
    let Some(id) = state.kv.get(&pending_key(token)).await? else {
        return Ok(None);
    };
    let Ok(id) = id.parse::<StaffId>() else {
        return Ok(None);
    };
    Ok(state
        .db
        .run(move |c| StaffMember::find(c, id))
        .await?
        .filter(|m| m.disabled_at.is_none()))
}

/// The second step: the code. Passed, the pending sign-in becomes a session, whose token is returned.
pub async fn check_code(
    state: &AppState,
    pending_token: &str,
    code: &str,
) -> Result<Step<String>, AppError> {
    let Some(member) = pending(state, pending_token).await? else {
        return Ok(Step::Wrong);
    };
    if locked(state, &member.login).await? {
        state.kv.delete(&pending_key(pending_token)).await?;
        return Ok(Step::Locked);
    }
    let now_step = now_millis() / 1000 / STEP_SECONDS;
    let step = decode_base32(&member.totp_secret)
        .and_then(|secret| matching_step(&secret, code, now_step));
    let accepted = match step {
        Some(step) => {
            let id = member.id;
            state
                .db
                .run(move |c| StaffMember::use_totp_step(c, id, step))
                .await?
        }
        None => false,
    };
    if !accepted {
        if failed(state, &member.login).await? {
            state.kv.delete(&pending_key(pending_token)).await?;
            return Ok(Step::Locked);
        }
        return Ok(Step::Wrong);
    }
    state.kv.delete(&pending_key(pending_token)).await?;
    succeeded(state, &member.login).await?;
    let session = token(32);
    let now = now_millis();
    store_session(
        state,
        &session,
        &StaffSession {
            staff_id: member.id,
            created_at: now,
            last_seen: now,
        },
    )
    .await?;
    audit(state, &member, "sign_in", "", "").await?;
    Ok(Step::Passed(session))
}

/// A console session, kept in the key-value store under the SHA-256 of its cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSession {
    pub staff_id: StaffId,
    pub created_at: i64,
    pub last_seen: i64,
}

fn session_key(token: &str) -> String {
    format!("staff-session:{}", crate::services::sign_in::digest(token))
}

async fn store_session(
    state: &AppState,
    token: &str,
    session: &StaffSession,
) -> Result<(), AppError> {
    let json = serde_json::to_string(session).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state.kv.put(&session_key(token), &json, IDLE).await?;
    Ok(())
}

/// A member of staff signed in, with their agency, as checked on this request.
#[derive(Debug, Clone)]
pub struct OnDuty {
    pub member: StaffMember,
    pub agency: Agency,
}

impl OnDuty {
    /// The agency as the services built for its API clients see it; the client id names the member.
    pub fn principal(&self) -> AgencyPrincipal {
        AgencyPrincipal {
            agency_id: self.agency.id,
            code: self.agency.code.clone(),
            kind: self.agency.kind.clone(),
            name_ja: self.agency.name_ja.clone(),
            client_id: format!("staff:{}", self.member.login),
        }
    }
}

/// The member and agency of a live session, extending it; `None` when it ended (idle, absolute, signed out,
/// or the member was disabled).
pub async fn resume(state: &AppState, token: &str) -> Result<Option<OnDuty>, AppError> {
    let Some(json) = state.kv.get(&session_key(token)).await? else {
        return Ok(None);
    };
    let Ok(mut session) = serde_json::from_str::<StaffSession>(&json) else {
        return Ok(None);
    };
    let now = now_millis();
    let absolute = i64::try_from(ABSOLUTE.as_millis()).unwrap_or(i64::MAX);
    if now - session.created_at >= absolute {
        end(state, token).await?;
        return Ok(None);
    }
    let id = session.staff_id;
    let found = state
        .db
        .run(move |c| {
            let Some(member) = StaffMember::find(c, id)? else {
                return Ok(None);
            };
            Ok(Agency::find(c, member.agency_id)?.map(|agency| (member, agency)))
        })
        .await?;
    let Some((member, agency)) = found.filter(|(m, _)| m.disabled_at.is_none()) else {
        return Ok(None);
    };
    // One store write a minute at most.
    if now - session.last_seen >= 60_000 {
        session.last_seen = now;
        store_session(state, token, &session).await?;
    }
    Ok(Some(OnDuty { member, agency }))
}

pub async fn end(state: &AppState, token: &str) -> Result<(), AppError> {
    state.kv.delete(&session_key(token)).await?;
    Ok(())
}

/// Writes an action to the agency's audit log.
pub async fn audit(
    state: &AppState,
    member: &StaffMember,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    let row = AuditEntry {
        id: StaffAuditId::new(),
        agency_id: member.agency_id,
        staff_id: member.id,
        at: now_millis(),
        action: action.to_owned(),
        target: target.to_owned(),
        detail: detail.to_owned(),
    };
    state.db.run(move |c| AuditEntry::insert(c, &row)).await?;
    Ok(())
}

/// Entries of the audit log listed per page.
pub const AUDIT_PAGE: i64 = 50;

/// Page `page` (from 1) of the agency's audit log, newest first, each with the member's name.
pub async fn audit_page(
    state: &AppState,
    agency: AgencyId,
    page: usize,
) -> Result<Vec<(AuditEntry, String)>, AppError> {
    let offset = i64::try_from(page.saturating_sub(1)).unwrap_or(0) * AUDIT_PAGE;
    Ok(state
        .db
        .run(move |c| AuditEntry::page(c, agency, AUDIT_PAGE + 1, offset))
        .await?)
}

/// A new member of staff, as the operator's command creates one: the shared key is shown this once, to put
/// into the member's authenticator app.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub login: String,
    pub agency: String,
    pub roles: Vec<String>,
    /// Base32, for typing into an authenticator app.
    pub totp_secret: String,
    /// The same as an `otpauth://` URI (what a QR code for the app holds).
    pub totp_uri: String,
}

/// Adds a member of staff to an agency; a refusal says which field and why.
pub async fn create(
    state: &AppState,
    agency_code: &str,
    login: &str,
    name: &str,
    roles: &[String],
    password: &str,
) -> Result<Result<Created, String>, AppError> {
    let login = login.trim().to_lowercase();
    if login.is_empty() || login.chars().count() > 100 {
        return Ok(Err("login must be 1 to 100 characters".to_owned()));
    }
    if name.trim().is_empty() {
        return Ok(Err("name must not be empty".to_owned()));
    }
    if roles.is_empty() || roles.iter().any(|r| !ROLES.contains(&r.as_str())) {
        return Ok(Err(format!("roles must be some of {}", ROLES.join(", "))));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Ok(Err(format!(
            "password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let code = agency_code.to_owned();
    let Some(agency) = state
        .db
        .run(move |c| Agency::find_by_code(c, &code))
        .await?
    else {
        return Ok(Err(format!("no agency has the code {agency_code}")));
    };
    let secret: [u8; 20] = rand::random();
    let totp_secret = encode_base32(&secret);
    let row = StaffMember {
        id: StaffId::new(),
        agency_id: agency.id,
        login: login.clone(),
        name: name.trim().to_owned(),
        roles: roles.join(","),
        password_hash: agencies::hash_secret(password)?,
        totp_secret: totp_secret.clone(),
        totp_last_step: 0,
        created_at: now_millis(),
        disabled_at: None,
    };
    let taken = login.clone();
    if state
        .db
        .run(move |c| StaffMember::by_login(c, &taken))
        .await?
        .is_some()
    {
        return Ok(Err(format!("login {login} is taken")));
    }
    state.db.run(move |c| StaffMember::insert(c, &row)).await?;
    Ok(Ok(Created {
        totp_uri: format!(
            "otpauth://totp/Mynaportal:{login}?secret={totp_secret}&issuer=Mynaportal&algorithm=SHA1&digits=6&period={STEP_SECONDS}"
        ),
        login,
        agency: agency.code,
        roles: roles.to_vec(),
        totp_secret,
    }))
}

/// The code for time step `step` (RFC 4226 HOTP of the step: HMAC-SHA-1, dynamic truncation, 6 digits).
pub fn code_at(secret: &[u8], step: i64) -> Option<String> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).ok()?;
    mac.update(&u64::try_from(step).ok()?.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.get(19)? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let value = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(format!("{:06}", value % 1_000_000))
}

/// The current code for a base32 secret: what the member's authenticator app shows now.
pub fn current_code(secret: &str) -> Option<String> {
    code_at(&decode_base32(secret)?, now_millis() / 1000 / STEP_SECONDS)
}

/// The step whose code `typed` is, within one step of `now_step`.
fn matching_step(secret: &[u8], typed: &str, now_step: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let typed = portal_web::format::ascii_digits(&typed);
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [now_step, now_step - 1, now_step + 1]
        .into_iter()
        .find(|&step| {
            code_at(secret, step).is_some_and(|code| {
                subtle::ConstantTimeEq::ct_eq(code.as_bytes(), typed.as_bytes()).into()
            })
        })
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn encode_base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

pub fn decode_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|b| *b != b'=' && *b != b' ') {
        let value = BASE32.iter().position(|&b| b == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, key "12345678901234567890"; the 8-digit values' last six digits.
        let key = b"12345678901234567890";
        for (time, expected) in [
            (59_i64, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(key, time / 30).as_deref(), Some(expected), "{time}");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_typed_loosely() {
        let key = b"12345678901234567890";
        let code = code_at(key, 1000).expect("code");
        assert_eq!(matching_step(key, &code, 1000), Some(1000));
        assert_eq!(matching_step(key, &code, 1001), Some(1000));
        assert_eq!(matching_step(key, &code, 999), Some(1000));
        assert_eq!(matching_step(key, &code, 1002), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(key, &spaced, 1000), Some(1000));
        assert_eq!(matching_step(key, "12345", 1000), None);
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(encode_base32(b"foobar"), "MZXW6YTBOI");
        let bytes: [u8; 20] = rand::random();
        assert_eq!(
            decode_base32(&encode_base32(&bytes)).as_deref(),
            Some(&bytes[..])
        );
        assert_eq!(decode_base32("mzxw6ytboi").as_deref(), Some(&b"foobar"[..]));
        assert_eq!(decode_base32("1"), None);
    }
}
