//! Sessions of signed-in citizens, kept in the key-value store (the database by default, Redis when
//! configured), so they survive a restart and are shared by every node.
//!
//! The cookie holds a random token; the store is keyed by its SHA-256, so reading the store does not give
//! away usable cookies. A session ends after an hour without requests (idle), after its absolute lifetime,
//! on sign-out, or when the citizen signs out everywhere (a per-citizen "signed out all at" time that every
//! older session fails against).

use std::time::Duration;

use portal_storage::ids::CitizenId;
use portal_storage::{Kv, now_millis};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::random::token;

pub const SESSION_COOKIE: &str = "session";

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// WCAG 2.2.1: the user is warned before this runs out and can extend it.
    pub idle: Duration,
    /// However active, a session ends this long after sign-in.
    pub absolute: Duration,
    /// The warning comes this long before the idle time-out.
    pub warn_before: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(60 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
            warn_before: Duration::from_secs(5 * 60),
        }
    }
}
/// Requests closer together than this do not rewrite the session: one store write per minute at most.
const TOUCH_INTERVAL_MILLIS: i64 = 60_000;

/// Set to the time of the last change to anyone's notices (posted, corrected, withdrawn). A session's
/// cached unread count older than it is counted again.
const NOTICES_CHANGED_KEY: &str = "notices_changed_at";

/// A cached unread count is trusted at most this long even with no notice posted since, so notices that
/// expire drop out of the header's count within a minute.
const UNREAD_MAX_AGE_MILLIS: i64 = 60_000;

/// The header's unread count as last counted, so most pages need no database trip for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadCount {
    pub count: u64,
    pub counted_at: i64,
}

/// A live session, with the state of notices at the time it was read.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub session: Session,
    /// When any notice last changed (see [`NOTICES_CHANGED_KEY`]); `None` when none has lately.
    pub notices_changed_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub citizen_id: String,
    pub created_at: i64,
    pub last_seen: i64,
    /// The citizen's name for the page header, remembered on the first page so later pages need no
    /// database trip for it. A name changed meanwhile shows from the next sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Dropped by the citizen's own reads and archiving, and outdated by any notice posted since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<UnreadCount>,
    /// Set while the citizen acts as someone's proxy (代理人): pages then show and change the principal's
    /// affairs, within the proxy's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acting_for: Option<ActingFor>,
}

/// Whom a session acts for, as chosen when switching. The relation is checked again on every request: the
/// principal may end it at any time, and it lapses after its last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingFor {
    /// The proxy relation (`proxies.id`).
    pub relation: String,
    pub principal_id: String,
    pub principal_name: String,
    /// The signed-in citizen's own name, recorded on what they do for the principal.
    pub own_name: String,
    /// `read` or `act`, as when switching (a relation's scope never changes; it is checked again anyway).
    pub scope: String,
}

impl Session {
    /// The cached unread count, if nothing has made it stale as of `now`.
    pub fn fresh_unread(&self, notices_changed_at: Option<i64>, now: i64) -> Option<u64> {
        let cached = self.unread?;
        let outdated = notices_changed_at.is_some_and(|changed| changed >= cached.counted_at);
        (!outdated && now - cached.counted_at < UNREAD_MAX_AGE_MILLIS).then_some(cached.count)
    }

    pub fn citizen(&self) -> Result<CitizenId, AppError> {
        self.citizen_id
            .parse()
            .map_err(|_| AppError::BadRequest("malformed session".to_owned()))
    }

    /// Seconds until the idle time-out (or the absolute end, if sooner), as of `now`.
    pub fn idle_seconds_left(&self, policy: &SessionPolicy, now: i64) -> u64 {
        let ends = self
            .last_seen
            .saturating_add(millis(policy.idle))
            .min(self.created_at.saturating_add(millis(policy.absolute)));
        u64::try_from((ends - now).max(0) / 1000).unwrap_or(0)
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn session_key(token: &str) -> String {
    format!("session:{}", hex_digest(token))
}

fn signed_out_all_key(citizen: &str) -> String {
    format!("signed_out_all:{citizen}")
}

fn hex_digest(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub struct Sessions<'a> {
    kv: &'a Kv,
    policy: SessionPolicy,
}

impl<'a> Sessions<'a> {
    pub fn new(kv: &'a Kv, policy: SessionPolicy) -> Sessions<'a> {
        Sessions { kv, policy }
    }

    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }

    /// Starts a session and returns the token for the cookie. Always a new token: signing in never reuses
    /// an id the browser had before (no session fixation).
    pub async fn create(&self, citizen: CitizenId) -> Result<String, AppError> {
        let token = token(32);
        let now = now_millis();
        let session = Session {
            citizen_id: citizen.to_string(),
            created_at: now,
            last_seen: now,
            name: None,
            unread: None,
            acting_for: None,
        };
        self.store(&token, &session).await?;
        Ok(token)
    }

    /// Writes the session back (after the page has filled in what it caches).
    pub async fn store(&self, token: &str, session: &Session) -> Result<(), AppError> {
        let json =
            serde_json::to_string(session).map_err(|e| AppError::BadRequest(e.to_string()))?;
        self.kv
            .put(&session_key(token), &json, self.policy.idle)
            .await?;
        Ok(())
    }

    /// The live session for `token`, extended by this activity; `None` when it has ended for any reason.
    /// Two round trips: the session, then the citizen's sign-out-everywhere time together with when notices
    /// last changed.
    pub async fn resume(&self, token: &str) -> Result<Option<Resumed>, AppError> {
        let Some(json) = self.kv.get(&session_key(token)).await? else {
            return Ok(None);
        };
        let Ok(mut session) = serde_json::from_str::<Session>(&json) else {
            return Ok(None);
        };
        let now = now_millis();
        if now - session.created_at >= millis(self.policy.absolute) {
            self.end(token).await?;
            return Ok(None);
        }
        let cutoff_key = signed_out_all_key(&session.citizen_id);
        let found = self
            .kv
            .get_many(&[cutoff_key.as_str(), NOTICES_CHANGED_KEY])
            .await?;
        let time = |i: usize| {
            found
                .get(i)
                .and_then(Option::as_deref)
                .and_then(|v| v.parse::<i64>().ok())
        };
        if time(0).is_some_and(|cutoff| session.created_at <= cutoff) {
            self.end(token).await?;
            return Ok(None);
        }
        if now - session.last_seen >= TOUCH_INTERVAL_MILLIS {
            session.last_seen = now;
            self.store(token, &session).await?;
        }
        Ok(Some(Resumed {
            session,
            notices_changed_at: time(1),
        }))
    }

    /// Records that notices changed for someone now: every cached unread count is counted again.
    pub async fn notices_changed(&self) -> Result<(), AppError> {
        // Kept as long as a cached count may be trusted; after that, age alone outdates it.
        self.kv
            .put(
                NOTICES_CHANGED_KEY,
                &now_millis().to_string(),
                Duration::from_millis(u64::try_from(UNREAD_MAX_AGE_MILLIS).unwrap_or(60_000)),
            )
            .await?;
        Ok(())
    }

    /// Drops the cached unread count after the citizen read or archived a notice.
    pub async fn forget_unread(&self, token: &str, session: &mut Session) -> Result<(), AppError> {
        if session.unread.take().is_some() {
            self.store(token, session).await?;
        }
        Ok(())
    }

    /// The live session without extending it (the time-out warning must not count as activity).
    pub async fn peek(&self, token: &str) -> Result<Option<Session>, AppError> {
        let Some(json) = self.kv.get(&session_key(token)).await? else {
            return Ok(None);
        };
        Ok(serde_json::from_str::<Session>(&json).ok())
    }

    /// Extends the idle time-out now (the warning's "stay signed in"), whatever the touch interval.
    pub async fn extend(&self, token: &str, session: &mut Session) -> Result<(), AppError> {
        session.last_seen = now_millis();
        self.store(token, session).await
    }

    pub async fn end(&self, token: &str) -> Result<(), AppError> {
        self.kv.delete(&session_key(token)).await?;
        Ok(())
    }

    /// Ends every session of the citizen, on every device, including ones started a moment ago.
    pub async fn end_all(&self, citizen: CitizenId) -> Result<(), AppError> {
        let now = now_millis().to_string();
        // Kept as long as any session it must refuse could live.
        self.kv
            .put(
                &signed_out_all_key(&citizen.to_string()),
                &now,
                self.policy.absolute,
            )
            .await?;
        Ok(())
    }
}
