//! Browser sessions, kept in memory (this is an example): a random id in a cookie, and per id the
//! authorization under way (PKCE verifier and `state`) and, once connected, the tokens.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use oauth2::{AccessToken, CsrfToken, PkceCodeVerifier, RefreshToken};

/// How long an authorization may stay under way (from `/connect` to `/callback`).
pub const AUTHORIZATION_TTL: Duration = Duration::from_secs(10 * 60);
/// Sessions not seen for this long are dropped.
const IDLE_TTL: Duration = Duration::from_secs(12 * 60 * 60);
/// An access token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN: Duration = Duration::from_secs(30);

/// An authorization under way: what `/callback` checks and sends back.
#[derive(Debug)]
pub struct Pending {
    pub state: CsrfToken,
    pub verifier: PkceCodeVerifier,
    pub started: Instant,
}

/// The tokens the portal gave this browser session.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access: AccessToken,
    pub refresh: Option<RefreshToken>,
    /// When the access token expires, if the portal said (`expires_in`).
    pub expires_at: Option<Instant>,
}

impl Tokens {
    /// Whether the access token has expired, or is about to.
    pub fn expired(&self, now: Instant) -> bool {
        self.expires_at
            .is_some_and(|at| at.saturating_duration_since(now) <= EXPIRY_MARGIN)
    }
}

#[derive(Debug)]
struct Session {
    seen: Instant,
    pending: Option<Pending>,
    tokens: Option<Tokens>,
}

/// Every browser session of one app.
#[derive(Debug)]
pub struct Sessions {
    cookie: &'static str,
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Sessions whose id travels in the cookie named `cookie`. Each app has its own name: cookies do not
    /// tell ports apart, and both apps run on 127.0.0.1.
    pub fn new(cookie: &'static str) -> Self {
        Self {
            cookie,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        // A panic while the map was held leaves it consistent (every update is one insert or remove).
        self.map
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The request's session id, if its cookie names a session this app knows.
    pub fn id(&self, req: &HttpRequest) -> Option<String> {
        let value = req.cookie(self.cookie)?.value().to_owned();
        let mut map = self.lock();
        let session = map.get_mut(&value)?;
        session.seen = Instant::now();
        Some(value)
    }

    /// Starts a session (or restarts it, when `id` is given) with an authorization under way; returns its
    /// id. Sessions idle for long are dropped here.
    pub fn start_authorization(&self, id: Option<String>, pending: Pending) -> String {
        let now = Instant::now();
        let id = id.unwrap_or_else(|| CsrfToken::new_random_len(32).secret().clone());
        let mut map = self.lock();
        map.retain(|_, s| now.saturating_duration_since(s.seen) < IDLE_TTL);
        let session = map.entry(id.clone()).or_insert(Session {
            seen: now,
            pending: None,
            tokens: None,
        });
        session.seen = now;
        session.pending = Some(pending);
        id
    }

    /// Takes the authorization under way out of the session: a callback can be answered once.
    pub fn take_pending(&self, id: &str) -> Option<Pending> {
        self.lock().get_mut(id).and_then(|s| s.pending.take())
    }

    pub fn tokens(&self, id: &str) -> Option<Tokens> {
        self.lock().get(id).and_then(|s| s.tokens.clone())
    }

    pub fn set_tokens(&self, id: &str, tokens: Tokens) {
        if let Some(session) = self.lock().get_mut(id) {
            session.tokens = Some(tokens);
        }
    }

    /// Forgets the session's tokens (the app side of disconnecting; the portal still holds its grant).
    pub fn forget_tokens(&self, id: &str) {
        if let Some(session) = self.lock().get_mut(id) {
            session.tokens = None;
        }
    }

    /// The cookie that carries a session id: HttpOnly, SameSite=Lax (the portal's redirect back to
    /// `/callback` is a top-level GET, which Lax lets through). Not `Secure`: the examples run on http.
    pub fn cookie(&self, id: &str) -> Cookie<'static> {
        Cookie::build(self.cookie, id.to_owned())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(state: &str) -> Pending {
        Pending {
            state: CsrfToken::new(state.to_owned()),
            verifier: PkceCodeVerifier::new("v".repeat(43)),
            started: Instant::now(),
        }
    }

    #[test]
    fn a_pending_authorization_is_taken_once() {
        let sessions = Sessions::new("test_session");
        let id = sessions.start_authorization(None, pending("s1"));
        assert_eq!(id.len(), 43, "32 random bytes, base64url without padding");
        let taken = sessions.take_pending(&id);
        assert_eq!(
            taken.map(|p| p.state.secret().clone()),
            Some("s1".to_owned())
        );
        assert!(sessions.take_pending(&id).is_none());
    }

    #[test]
    fn tokens_are_kept_per_session_and_forgotten() {
        let sessions = Sessions::new("test_session");
        let a = sessions.start_authorization(None, pending("a"));
        let b = sessions.start_authorization(None, pending("b"));
        assert_ne!(a, b);
        sessions.set_tokens(
            &a,
            Tokens {
                access: AccessToken::new("at".into()),
                refresh: None,
                expires_at: None,
            },
        );
        assert!(sessions.tokens(&a).is_some());
        assert!(sessions.tokens(&b).is_none());
        sessions.forget_tokens(&a);
        assert!(sessions.tokens(&a).is_none());
    }

    #[test]
    fn a_token_near_its_expiry_counts_as_expired() {
        let now = Instant::now();
        let token = |secs| Tokens {
            access: AccessToken::new("at".into()),
            refresh: None,
            expires_at: Some(now + Duration::from_secs(secs)),
        };
        assert!(token(10).expired(now));
        assert!(!token(300).expired(now));
        let no_expiry = Tokens {
            expires_at: None,
            ..token(0)
        };
        assert!(!no_expiry.expired(now));
    }
}
