//! The authorization server for private apps (自己情報取得API): the authorization code flow with PKCE
//! (RFC 6749 §4.1, RFC 7636, S256 only), consents that last 90 days (期間連携), rotating refresh tokens whose
//! reuse revokes the consent, revocation (RFC 7009) and introspection (RFC 7662).
//!
//! Codes and access tokens live in the key-value store, which answers every API call in one lookup; consents
//! and token hashes live in the database, which a revocation uses to find the tokens to drop.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_storage::ids::{AppId, CitizenId, ConsentId};
use portal_storage::models::app::App;
use portal_storage::models::consent::{AppConsent, AppToken, REFRESH, Rotation};
use portal_storage::{StorageError, now_millis};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::random::token;
use crate::services::apps::{self, Scope};
use crate::state::AppState;

/// How long a consent lasts unless revoked (the real 期間連携 lasts 90 days).
pub const CONSENT_DAYS: u32 = 90;
/// Access tokens are short-lived: a leaked one is useful for minutes, and revocation is checked anyway.
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// An authorization code is exchanged at once by a working app.
pub const CODE_TTL: Duration = Duration::from_secs(60);
/// How long a used code is remembered, so that presenting it again revokes what it gave.
const SPENT_CODE_KEPT: Duration = Duration::from_secs(10 * 60);
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// App access tokens start with this, so the API tells them from agencies' tokens without a second lookup
/// (and secret scanners can find leaked ones).
pub const ACCESS_PREFIX: &str = "mpat_";
const REFRESH_PREFIX: &str = "mprt_";

fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn access_key(hash: &str) -> String {
    format!("app-token:{hash}")
}

fn code_key(code: &str) -> String {
    format!("oauth-code:{}", digest(code))
}

fn spent_code_key(code: &str) -> String {
    format!("oauth-code-spent:{}", digest(code))
}

/// An RFC 6749 error: the code (`invalid_request`, `invalid_grant`, …) and a description for developers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub code: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(code: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            code,
            description: description.into(),
        }
    }
}

/// Why an authorization request cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeProblem {
    /// The client or its redirect URI cannot be trusted: the citizen is told and not redirected
    /// (RFC 6749 §4.1.2.1). The catalog key of the reason.
    NoRedirect(&'static str),
    /// Sent back to the app's redirect URI with `error`, `error_description` and `state`.
    Redirect {
        redirect_uri: String,
        error: OAuthError,
        state: Option<String>,
    },
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub app: App,
    pub redirect_uri: String,
    pub scopes: Vec<&'static Scope>,
    pub state: String,
    pub code_challenge: String,
    /// The parameters as sent, for the consent form to post back.
    pub params: Vec<(String, String)>,
}

/// The parameters of an authorization request, read from a query or a form.
pub const AUTHORIZE_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// A PKCE challenge or verifier: base64url of 32 bytes for the challenge (43 characters); the verifier is
/// 43–128 unreserved characters (RFC 7636 §4.1).
fn is_verifier(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks an authorization request in the order RFC 6749 asks: first what decides whether the citizen may
/// be sent back at all (client and redirect URI), then everything else as an error sent back to the app.
pub async fn check_authorize(
    state: &AppState,
    pairs: Vec<(String, String)>,
) -> Result<Result<AuthorizeRequest, AuthorizeProblem>, AppError> {
    let mut params: Vec<(String, String)> = Vec::new();
    let mut repeated = None;
    for (name, value) in pairs {
        if !AUTHORIZE_PARAMS.contains(&name.as_str()) {
            continue;
        }
        if params.iter().any(|(n, _)| *n == name) {
            repeated.get_or_insert(name.clone());
        }
        params.push((name, value));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let Some(client_id) = param("client_id") else {
        return Ok(Err(AuthorizeProblem::NoRedirect("oauth.error.unknown_app")));
    };
    let Some(app) = state
        .db
        .run(move |c| App::find_by_client_id(c, &client_id))
        .await?
    else {
        return Ok(Err(AuthorizeProblem::NoRedirect("oauth.error.unknown_app")));
    };
    // Exact match only: no prefix, no default even for an app with one registered URI.
    let Some(redirect_uri) = param("redirect_uri")
        .filter(|uri| app.redirect_uri_list().contains(&uri.as_str()))
        .filter(|_| repeated.as_deref() != Some("redirect_uri"))
    else {
        return Ok(Err(AuthorizeProblem::NoRedirect(
            "oauth.error.bad_redirect",
        )));
    };
    let state_param = param("state");
    let refuse = |code: &'static str, description: String| {
        Ok(Err(AuthorizeProblem::Redirect {
            redirect_uri: redirect_uri.clone(),
            error: OAuthError::new(code, description),
            state: state_param.clone(),
        }))
    };
    if let Some(name) = repeated {
        return refuse(
            "invalid_request",
            format!("the parameter {name} is repeated"),
        );
    }
    match param("response_type").as_deref() {
        Some("code") => {}
        None => return refuse("invalid_request", "response_type is required".into()),
        Some(other) => {
            return refuse(
                "unsupported_response_type",
                format!("response_type {other:?} is not supported; use code"),
            );
        }
    }
    let Some(state_value) = state_param.clone() else {
        return refuse(
            "invalid_request",
            "state is required (an unguessable value bound to the user's session)".into(),
        );
    };
    let Some(code_challenge) = param("code_challenge") else {
        return refuse(
            "invalid_request",
            "PKCE is required: send code_challenge and code_challenge_method=S256".into(),
        );
    };
    if param("code_challenge_method").as_deref() != Some("S256") {
        return refuse(
            "invalid_request",
            "code_challenge_method must be S256 (plain is not accepted)".into(),
        );
    }
    if code_challenge.len() != 43 || URL_SAFE_NO_PAD.decode(&code_challenge).is_err() {
        return refuse(
            "invalid_request",
            "code_challenge must be the base64url SHA-256 of the verifier (43 characters)".into(),
        );
    }
    let Some(scope) = param("scope") else {
        return refuse(
            "invalid_scope",
            "scope is required: the data items the app asks for".into(),
        );
    };
    let allowed = app.scope_codes();
    let mut scopes: Vec<&'static Scope> = Vec::new();
    for code in scope.split(' ').filter(|s| !s.is_empty()) {
        match apps::scope(code) {
            Some(s) if allowed.contains(&code) => {
                if !scopes.contains(&s) {
                    scopes.push(s);
                }
            }
            Some(_) => {
                return refuse(
                    "invalid_scope",
                    format!("the app is not registered for the scope {code}"),
                );
            }
            None => return refuse("invalid_scope", format!("{code:?} is not a scope")),
        }
    }
    if scopes.is_empty() {
        return refuse("invalid_scope", "scope names no data item".into());
    }
    Ok(Ok(AuthorizeRequest {
        app,
        redirect_uri,
        scopes,
        state: state_value,
        code_challenge,
        params,
    }))
}

/// What a code stands for until it is exchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CodeGrant {
    consent_id: ConsentId,
    app_id: AppId,
    redirect_uri: String,
    code_challenge: String,
}

/// The consent's end for one granted now: 90 days, in milliseconds.
pub fn consent_end(now: i64) -> i64 {
    now + i64::from(CONSENT_DAYS) * DAY_MILLIS
}

/// The citizen approved: stores the consent (replacing one they gave the app before) and returns the
/// address to send them back to, with the code and the state.
pub async fn approve(
    state: &AppState,
    citizen: CitizenId,
    request: &AuthorizeRequest,
) -> Result<String, AppError> {
    let now = now_millis();
    let consent = AppConsent {
        id: ConsentId::new(),
        citizen_id: citizen,
        app_id: request.app.id,
        scopes: request
            .scopes
            .iter()
            .map(|s| s.code)
            .collect::<Vec<_>>()
            .join(","),
        granted_at: now,
        expires_at: consent_end(now),
        revoked_at: None,
    };
    let id = consent.id;
    let replaced = state
        .db
        .run(move |c| AppConsent::insert_replacing(c, &consent))
        .await?;
    drop_access_tokens(state, &replaced).await?;
    let code = token(32);
    let grant = CodeGrant {
        consent_id: id,
        app_id: request.app.id,
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
    };
    let json = serde_json::to_string(&grant).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state.kv.put(&code_key(&code), &json, CODE_TTL).await?;
    Ok(redirect_with(
        &request.redirect_uri,
        &[("code", &code), ("state", &request.state)],
    ))
}

/// The citizen said no: back to the app with `access_denied`.
pub fn deny(request: &AuthorizeRequest) -> String {
    redirect_with(
        &request.redirect_uri,
        &[
            ("error", "access_denied"),
            ("error_description", "the citizen did not allow access"),
            ("state", &request.state),
        ],
    )
}

/// `uri` with query parameters added (after any it already has).
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query.finish())
}

/// How a client authenticated at the token, revocation or introspection endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuth {
    pub client_id: String,
    /// None for a public app, which sends only its id.
    pub secret: Option<String>,
}

/// Checks an app's credentials: a confidential app's secret against its argon2id hash; a public app must
/// send none. `None` for an unknown or withdrawn app or a wrong secret (answered `invalid_client`).
pub async fn authenticate(state: &AppState, auth: &ClientAuth) -> Result<Option<App>, AppError> {
    let id = auth.client_id.clone();
    let Some(app) = state
        .db
        .run(move |c| App::find_by_client_id(c, &id))
        .await?
    else {
        return Ok(None);
    };
    match (&app.secret_hash, &auth.secret) {
        (Some(hash), Some(secret)) if app.confidential => {
            let (hash, secret) = (hash.clone(), secret.clone());
            // argon2 is deliberately slow: keep it off the async workers.
            let valid = tokio::task::spawn_blocking(move || {
                PasswordHash::new(&hash).is_ok_and(|hash| {
                    Argon2::default()
                        .verify_password(secret.as_bytes(), &hash)
                        .is_ok()
                })
            })
            .await
            .map_err(|e| AppError::Storage(StorageError::Task(e)))?;
            Ok(valid.then_some(app))
        }
        (None, None) if !app.confidential => Ok(Some(app)),
        _ => Ok(None),
    }
}

/// Who an app's access token speaks for: kept with the token, so an API call needs no database trip to
/// know the citizen, the app and the scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPrincipal {
    pub consent_id: ConsentId,
    pub citizen_id: CitizenId,
    pub app_id: AppId,
    pub client_id: String,
    pub app_name: String,
    pub operator: String,
    pub purpose: String,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

impl AppPrincipal {
    pub fn has_scope(&self, code: &str) -> bool {
        self.scopes.iter().any(|s| s == code)
    }
}

/// Tokens as the token endpoint answers them.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub refresh_token: String,
    pub scope: String,
}

/// A new token pair's secrets and hashes.
struct Minted {
    access: String,
    refresh: String,
}

impl Minted {
    fn new() -> Minted {
        Minted {
            access: format!("{ACCESS_PREFIX}{}", token(32)),
            refresh: format!("{REFRESH_PREFIX}{}", token(32)),
        }
    }

    fn hashes(&self) -> (String, String) {
        (digest(&self.access), digest(&self.refresh))
    }

    /// What the token endpoint answers, and the principal the access token stands for.
    fn issue(
        self,
        consent: &AppConsent,
        app: &App,
        scopes: Vec<String>,
        now: i64,
    ) -> (Issued, AppPrincipal) {
        let expires_at = (now + access_ttl_millis()).min(consent.expires_at);
        let principal = AppPrincipal {
            consent_id: consent.id,
            citizen_id: consent.citizen_id,
            app_id: app.id,
            client_id: app.client_id.clone(),
            app_name: app.name.clone(),
            operator: app.operator.clone(),
            purpose: app.purpose.clone(),
            scopes,
            issued_at: now,
            expires_at,
        };
        let issued = Issued {
            access_token: self.access,
            token_type: "Bearer",
            expires_in: u64::try_from((expires_at - now) / 1000).unwrap_or(0),
            refresh_token: self.refresh,
            scope: principal.scopes.join(" "),
        };
        (issued, principal)
    }
}

fn access_ttl_millis() -> i64 {
    i64::try_from(ACCESS_TTL.as_millis()).unwrap_or(i64::MAX)
}

/// Keeps an access token's principal in the key-value store for its lifetime.
async fn keep_access(
    state: &AppState,
    issued: &Issued,
    principal: &AppPrincipal,
) -> Result<bool, AppError> {
    let json = serde_json::to_string(principal).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let ttl = Duration::from_secs(issued.expires_in.max(1));
    let key = access_key(&digest(&issued.access_token));
    state.kv.put(&key, &json, ttl).await?;
    // A revocation that committed while this token was being issued may have looked for live tokens before
    // this one was kept: looking at the consent again after keeping it closes that gap.
    let (consent, now) = (principal.consent_id, now_millis());
    let live = state
        .db
        .run(move |c| AppConsent::find_live(c, consent, now))
        .await?
        .is_some();
    if !live {
        state.kv.delete(&key).await?;
    }
    Ok(live)
}

fn revoked_meanwhile() -> OAuthError {
    OAuthError::new(
        "invalid_grant",
        "the consent was revoked while the tokens were being issued",
    )
}

pub(crate) async fn drop_access_tokens(
    state: &AppState,
    hashes: &[String],
) -> Result<(), AppError> {
    for hash in hashes {
        state.kv.delete(&access_key(hash)).await?;
    }
    Ok(())
}

/// `grant_type=authorization_code`: the code once, by the app it was issued to, with the same redirect URI
/// and the PKCE verifier. A code presented again revokes the consent and every token issued from it
/// (RFC 6749 §4.1.2).
pub async fn exchange_code(
    state: &AppState,
    app: &App,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> Result<Result<Issued, OAuthError>, AppError> {
    let Some(code) = code else {
        return Ok(Err(OAuthError::new("invalid_request", "code is required")));
    };
    let Some(json) = state.kv.take(&code_key(code)).await? else {
        if let Some(consent) = state.kv.get(&spent_code_key(code)).await?
            && let Ok(consent) = consent.parse::<uuid::Uuid>()
        {
            revoke_consent(state, ConsentId(consent), None).await?;
            return Ok(Err(OAuthError::new(
                "invalid_grant",
                "the code was already used; every token issued from it is revoked",
            )));
        }
        return Ok(Err(OAuthError::new(
            "invalid_grant",
            "the code is unknown or expired",
        )));
    };
    let grant: CodeGrant =
        serde_json::from_str(&json).map_err(|e| AppError::BadRequest(e.to_string()))?;
    // Remembered before anything else is checked: a code shown to the wrong party is burnt either way.
    state
        .kv
        .put(
            &spent_code_key(code),
            &grant.consent_id.to_string(),
            SPENT_CODE_KEPT,
        )
        .await?;
    if grant.app_id != app.id {
        return Ok(Err(OAuthError::new(
            "invalid_grant",
            "the code was issued to another client",
        )));
    }
    // Required, since every authorization request names one (§4.1.3); leaving it out is a malformed
    // request, a different one a grant that does not hold.
    let Some(redirect_uri) = redirect_uri else {
        return Ok(Err(OAuthError::new(
            "invalid_request",
            "redirect_uri is required: the one the authorization request used",
        )));
    };
    if redirect_uri != grant.redirect_uri {
        return Ok(Err(OAuthError::new(
            "invalid_grant",
            "redirect_uri must be the one the authorization request used",
        )));
    }
    match verifier {
        None => {
            return Ok(Err(OAuthError::new(
                "invalid_request",
                "code_verifier is required (PKCE)",
            )));
        }
        Some(v) if !is_verifier(v) || s256(v) != grant.code_challenge => {
            return Ok(Err(OAuthError::new(
                "invalid_grant",
                "code_verifier does not match the code_challenge",
            )));
        }
        Some(_) => {}
    }
    let now = now_millis();
    let consent_id = grant.consent_id;
    let Some((consent, app)) = state
        .db
        .run(move |c| AppConsent::find_live(c, consent_id, now))
        .await?
    else {
        return Ok(Err(OAuthError::new(
            "invalid_grant",
            "the consent was revoked or has ended",
        )));
    };
    let scopes: Vec<String> = consent
        .scope_codes()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let minted = Minted::new();
    let (access_hash, refresh_hash) = minted.hashes();
    let rows = AppToken::pair(
        &consent,
        now,
        access_hash,
        refresh_hash,
        access_ttl_millis(),
    );
    state
        .db
        .run(move |c| AppToken::insert_many(c, &rows))
        .await?;
    let (issued, principal) = minted.issue(&consent, &app, scopes, now);
    if !keep_access(state, &issued, &principal).await? {
        return Ok(Err(revoked_meanwhile()));
    }
    Ok(Ok(issued))
}

/// `grant_type=refresh_token`: spends the token and issues a new pair. A narrower `scope` may be asked for
/// the access token; never a wider one. A spent token presented again revokes the whole consent.
pub async fn refresh(
    state: &AppState,
    app: &App,
    refresh_token: Option<&str>,
    scope: Option<&str>,
) -> Result<Result<Issued, OAuthError>, AppError> {
    let Some(refresh_token) = refresh_token else {
        return Ok(Err(OAuthError::new(
            "invalid_request",
            "refresh_token is required",
        )));
    };
    let hash = digest(refresh_token);
    let lookup = hash.clone();
    let found = state.db.run(move |c| AppToken::find(c, &lookup)).await?;
    let Some((_, consent, _)) =
        found.filter(|(token, consent, _)| token.kind == REFRESH && consent.app_id == app.id)
    else {
        return Ok(Err(OAuthError::new(
            "invalid_grant",
            "the refresh token is unknown or was issued to another client",
        )));
    };
    let granted = consent.scope_codes();
    let scopes: Vec<String> = match scope {
        Some(s) => s
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => granted.iter().map(|s| (*s).to_owned()).collect(),
    };
    if scopes.is_empty() {
        return Ok(Err(OAuthError::new(
            "invalid_scope",
            "scope names no data item; leave it out to keep the consent's scopes",
        )));
    }
    if let Some(extra) = scopes.iter().find(|s| !granted.contains(&s.as_str())) {
        return Ok(Err(OAuthError::new(
            "invalid_scope",
            format!("the consent does not cover the scope {extra}"),
        )));
    }
    let now = now_millis();
    let app_id = app.id;
    let minted = Minted::new();
    let hashes = minted.hashes();
    let rotation = state
        .db
        .run(move |c| AppToken::rotate_refresh(c, &hash, app_id, now, hashes, access_ttl_millis()))
        .await?;
    match rotation {
        Rotation::Rotated { consent, app } => {
            let (issued, principal) = minted.issue(&consent, &app, scopes, now);
            if !keep_access(state, &issued, &principal).await? {
                return Ok(Err(revoked_meanwhile()));
            }
            Ok(Ok(issued))
        }
        Rotation::Reused { revoked_access } => {
            drop_access_tokens(state, &revoked_access).await?;
            Ok(Err(OAuthError::new(
                "invalid_grant",
                "the refresh token was already used; the consent and every token issued under it are revoked",
            )))
        }
        Rotation::Invalid => Ok(Err(OAuthError::new(
            "invalid_grant",
            "the refresh token has expired, or its consent was revoked or has ended",
        ))),
    }
}

/// Revokes a consent (the citizen's own when `citizen` is given) and drops its live access tokens at once.
/// Whether there was a live consent to revoke.
pub async fn revoke_consent(
    state: &AppState,
    consent: ConsentId,
    citizen: Option<CitizenId>,
) -> Result<bool, AppError> {
    let now = now_millis();
    let dropped = state
        .db
        .run(move |c| AppConsent::revoke(c, consent, citizen, now))
        .await?;
    match dropped {
        Some(hashes) => {
            drop_access_tokens(state, &hashes).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The app and citizen behind an access token, if it is live.
pub async fn principal(
    state: &AppState,
    access_token: &str,
) -> Result<Option<AppPrincipal>, AppError> {
    if !access_token.starts_with(ACCESS_PREFIX) {
        return Ok(None);
    }
    let found = state.kv.get(&access_key(&digest(access_token))).await?;
    Ok(found
        .and_then(|json| serde_json::from_str::<AppPrincipal>(&json).ok())
        .filter(|p| p.expires_at > now_millis()))
}

/// RFC 7009: revokes `token` when it is one of `app`'s; any other token is left alone and the answer is the
/// same, so the endpoint tells nothing about tokens the app does not hold. Revoking a refresh token
/// revokes its consent with every token under it (§2.1); revoking an access token ends that token.
pub async fn revoke_token(state: &AppState, app: &App, token: &str) -> Result<(), AppError> {
    let hash = digest(token);
    let lookup = hash.clone();
    let Some((row, consent, _)) = state.db.run(move |c| AppToken::find(c, &lookup)).await? else {
        return Ok(());
    };
    if consent.app_id != app.id {
        return Ok(());
    }
    if row.kind == REFRESH {
        revoke_consent(state, consent.id, None).await?;
    } else {
        state.kv.delete(&access_key(&hash)).await?;
    }
    Ok(())
}

/// RFC 7662: what `app` may learn about one of its own tokens. Anything else — unknown, expired, revoked,
/// or another client's — is `{"active": false}` and nothing more.
pub async fn introspect(
    state: &AppState,
    app: &App,
    token: &str,
) -> Result<serde_json::Value, AppError> {
    let inactive = serde_json::json!({ "active": false });
    if let Some(principal) = principal(state, token).await? {
        if principal.app_id != app.id {
            return Ok(inactive);
        }
        return Ok(serde_json::json!({
            "active": true,
            "token_type": "Bearer",
            "client_id": principal.client_id,
            "scope": principal.scopes.join(" "),
            "iat": principal.issued_at / 1000,
            "exp": principal.expires_at / 1000,
        }));
    }
    let hash = digest(token);
    let Some((row, consent, found_app)) = state.db.run(move |c| AppToken::find(c, &hash)).await?
    else {
        return Ok(inactive);
    };
    let now = now_millis();
    let live = row.kind == REFRESH
        && row.spent_at.is_none()
        && row.expires_at > now
        && consent.revoked_at.is_none()
        && consent.expires_at > now
        && found_app.id == app.id;
    if !live {
        return Ok(inactive);
    }
    Ok(serde_json::json!({
        "active": true,
        "token_type": "refresh_token",
        "client_id": found_app.client_id,
        "scope": consent.scope_codes().join(" "),
        "iat": row.issued_at / 1000,
        "exp": row.expires_at / 1000,
    }))
}

/// One app the citizen consented to, and when it last read their data.
#[derive(Debug, Clone)]
pub struct Connected {
    pub consent: AppConsent,
    pub app: App,
    /// Milliseconds.
    pub last_read: Option<i64>,
}

/// 連携中のサービス: the citizen's live consents, newest first, with each app's last read from やりとり履歴
/// (two queries, whatever the number of apps).
pub async fn connected(state: &AppState, citizen: CitizenId) -> Result<Vec<Connected>, AppError> {
    let now = now_millis();
    let (consents, reads) = state
        .db
        .run(move |c| {
            let consents = AppConsent::live_for_citizen(c, citizen, now)?;
            let reads =
                portal_storage::models::linkage::LinkageRecord::last_reads(c, citizen, "app")?;
            Ok::<_, StorageError>((consents, reads))
        })
        .await?;
    Ok(consents
        .into_iter()
        .map(|(consent, app)| {
            let last_read = reads
                .iter()
                .find(|(requester, _)| *requester == app.client_id)
                .map(|(_, at)| *at)
                // Reads under an earlier consent to the same app are not this consent's.
                .filter(|at| *at >= consent.granted_at);
            Connected {
                consent,
                app,
                last_read,
            }
        })
        .collect())
}
