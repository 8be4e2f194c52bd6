//! Citizens' consents to private apps (期間連携) and the tokens issued under them.
//!
//! A consent names the scopes granted and when it ends. Tokens are kept by their SHA-256 only. A refresh
//! token is spent when rotated; presenting a spent one means it leaked, so the whole consent (every token of
//! the family) is revoked.

use diesel::prelude::*;

use crate::ids::{AppId, CitizenId, ConsentId};
use crate::models::app::App;
use crate::schema::{app_consents, app_tokens, apps};
use crate::{AnyConnection, StorageError, with_conn};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = app_consents, treat_none_as_default_value = false)]
pub struct AppConsent {
    pub id: ConsentId,
    pub citizen_id: CitizenId,
    pub app_id: AppId,
    /// Comma-separated scope codes granted.
    pub scopes: String,
    pub granted_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// `access` or `refresh`.
pub const ACCESS: &str = "access";
pub const REFRESH: &str = "refresh";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = app_tokens, treat_none_as_default_value = false)]
pub struct AppToken {
    pub token_hash: String,
    pub consent_id: ConsentId,
    pub kind: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub spent_at: Option<i64>,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Spent, and the new tokens stored under the same consent.
    Rotated {
        consent: Box<AppConsent>,
        app: Box<App>,
    },
    /// Already spent: the consent is now revoked; these access tokens were live under it.
    Reused { revoked_access: Vec<String> },
    /// Unknown, of another app, expired, or its consent is revoked or over.
    Invalid,
}

impl AppConsent {
    pub fn scope_codes(&self) -> Vec<&str> {
        self.scopes.split(',').filter(|s| !s.is_empty()).collect()
    }

    /// Stores a new consent, revoking any live one of the same citizen for the same app. Returns the hashes
    /// of the live access tokens of the consents it replaced, for the caller to drop from the token store.
    pub fn insert_replacing(
        conn: &mut AnyConnection,
        row: &AppConsent,
    ) -> Result<Vec<String>, StorageError> {
        let dropped = with_conn!(conn, |c| c.transaction(|c| {
            let replaced: Vec<ConsentId> = app_consents::table
                .filter(app_consents::citizen_id.eq(row.citizen_id))
                .filter(app_consents::app_id.eq(row.app_id))
                .filter(app_consents::revoked_at.is_null())
                .select(app_consents::id)
                .load(c)?;
            let mut dropped = Vec::new();
            if !replaced.is_empty() {
                diesel::update(app_consents::table.filter(app_consents::id.eq_any(&replaced)))
                    .set(app_consents::revoked_at.eq(Some(row.granted_at)))
                    .execute(c)?;
                dropped = app_tokens::table
                    .filter(app_tokens::consent_id.eq_any(&replaced))
                    .filter(app_tokens::kind.eq(ACCESS))
                    .filter(app_tokens::expires_at.gt(row.granted_at))
                    .select(app_tokens::token_hash)
                    .load(c)?;
            }
            diesel::insert_into(app_consents::table)
                .values(row)
                .execute(c)?;
            Ok::<_, diesel::result::Error>(dropped)
        }))?;
        Ok(dropped)
    }

    /// A consent and its app, if it is live at `now` (not revoked, not over, app not withdrawn).
    pub fn find_live(
        conn: &mut AnyConnection,
        id: ConsentId,
        now: i64,
    ) -> Result<Option<(AppConsent, App)>, StorageError> {
        let found = with_conn!(conn, |c| app_consents::table
            .inner_join(apps::table)
            .filter(app_consents::id.eq(id))
            .filter(app_consents::revoked_at.is_null())
            .filter(app_consents::expires_at.gt(now))
            .filter(apps::revoked_at.is_null())
            .select((AppConsent::as_select(), App::as_select()))
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// A citizen's live consents with their apps, newest first (a short list: one per app at most).
    pub fn live_for_citizen(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        now: i64,
    ) -> Result<Vec<(AppConsent, App)>, StorageError> {
        let rows = with_conn!(conn, |c| app_consents::table
            .inner_join(apps::table)
            .filter(app_consents::citizen_id.eq(citizen))
            .filter(app_consents::revoked_at.is_null())
            .filter(app_consents::expires_at.gt(now))
            .order(app_consents::granted_at.desc())
            .select((AppConsent::as_select(), App::as_select()))
            .load(c))?;
        Ok(rows)
    }

    /// Revokes a live consent (of `citizen` when given) and returns the hashes of its live access tokens;
    /// `None` when there was no such live consent.
    pub fn revoke(
        conn: &mut AnyConnection,
        id: ConsentId,
        citizen: Option<CitizenId>,
        now: i64,
    ) -> Result<Option<Vec<String>>, StorageError> {
        let dropped = with_conn!(conn, |c| c.transaction(|c| {
            let mut update = diesel::update(app_consents::table)
                .filter(app_consents::id.eq(id))
                .filter(app_consents::revoked_at.is_null())
                .into_boxed();
            if let Some(citizen) = citizen {
                update = update.filter(app_consents::citizen_id.eq(citizen));
            }
            let changed = update
                .set(app_consents::revoked_at.eq(Some(now)))
                .execute(c)?;
            if changed == 0 {
                return Ok(None);
            }
            let live = app_tokens::table
                .filter(app_tokens::consent_id.eq(id))
                .filter(app_tokens::kind.eq(ACCESS))
                .filter(app_tokens::expires_at.gt(now))
                .select(app_tokens::token_hash)
                .load(c)?;
            Ok::<_, diesel::result::Error>(Some(live))
        }))?;
        Ok(dropped)
    }
    /// Revokes every live consent to `app` (an app withdrawn by the operator) and returns the hashes of their
    /// access tokens still live, for the caller to drop from the key-value store. One transaction.
    pub fn revoke_all_of_app(
        conn: &mut AnyConnection,
        app: AppId,
        now: i64,
    ) -> Result<(usize, Vec<String>), StorageError> {
        let revoked = with_conn!(conn, |c| c.transaction(|c| {
            let live = app_tokens::table
                .inner_join(app_consents::table)
                .filter(app_consents::app_id.eq(app))
                .filter(app_consents::revoked_at.is_null())
                .filter(app_tokens::kind.eq(ACCESS))
                .filter(app_tokens::expires_at.gt(now))
                .select(app_tokens::token_hash)
                .load::<String>(c)?;
            let consents = diesel::update(app_consents::table)
                .filter(app_consents::app_id.eq(app))
                .filter(app_consents::revoked_at.is_null())
                .set(app_consents::revoked_at.eq(Some(now)))
                .execute(c)?;
            Ok::<_, diesel::result::Error>((consents, live))
        }))?;
        Ok(revoked)
    }
}

impl AppToken {
    pub fn insert_many(conn: &mut AnyConnection, rows: &[AppToken]) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(app_tokens::table)
            .values(rows)
            .execute(c))?;
        Ok(())
    }

    /// A token by its hash, with its consent.
    pub fn find(
        conn: &mut AnyConnection,
        hash: &str,
    ) -> Result<Option<(AppToken, AppConsent, App)>, StorageError> {
        let found = with_conn!(conn, |c| app_tokens::table
            .inner_join(app_consents::table.inner_join(apps::table))
            .filter(app_tokens::token_hash.eq(hash))
            .select((
                AppToken::as_select(),
                AppConsent::as_select(),
                App::as_select(),
            ))
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// A new access and refresh token for `consent`, by their hashes: the access token lasts `access_ttl`
    /// milliseconds (less if the consent ends sooner), the refresh token until the consent ends.
    pub fn pair(
        consent: &AppConsent,
        now: i64,
        access_hash: String,
        refresh_hash: String,
        access_ttl: i64,
    ) -> [AppToken; 2] {
        [
            AppToken {
                token_hash: access_hash,
                consent_id: consent.id,
                kind: ACCESS.to_owned(),
                issued_at: now,
                expires_at: (now + access_ttl).min(consent.expires_at),
                spent_at: None,
            },
            AppToken {
                token_hash: refresh_hash,
                consent_id: consent.id,
                kind: REFRESH.to_owned(),
                issued_at: now,
                expires_at: consent.expires_at,
                spent_at: None,
            },
        ]
    }

    /// Spends the refresh token `hash` of `app` and stores the new pair (see [`AppToken::pair`]) under its
    /// consent, in one transaction; or, for a token already spent, revokes its consent.
    pub fn rotate_refresh(
        conn: &mut AnyConnection,
        hash: &str,
        app: AppId,
        now: i64,
        new_hashes: (String, String),
        access_ttl: i64,
    ) -> Result<Rotation, StorageError> {
        let rotation = with_conn!(conn, |c| c.transaction(|c| {
            let found = app_tokens::table
                .inner_join(app_consents::table.inner_join(apps::table))
                .filter(app_tokens::token_hash.eq(hash))
                .filter(app_tokens::kind.eq(REFRESH))
                .filter(app_consents::app_id.eq(app))
                .select((
                    AppToken::as_select(),
                    AppConsent::as_select(),
                    App::as_select(),
                ))
                .first::<(AppToken, AppConsent, App)>(c)
                .optional()?;
            let Some((token, consent, app)) = found else {
                return Ok(Rotation::Invalid);
            };
            if token.spent_at.is_some() {
                let changed = diesel::update(app_consents::table.find(consent.id))
                    .filter(app_consents::revoked_at.is_null())
                    .set(app_consents::revoked_at.eq(Some(now)))
                    .execute(c)?;
                let revoked_access = if changed == 0 {
                    Vec::new()
                } else {
                    app_tokens::table
                        .filter(app_tokens::consent_id.eq(consent.id))
                        .filter(app_tokens::kind.eq(ACCESS))
                        .filter(app_tokens::expires_at.gt(now))
                        .select(app_tokens::token_hash)
                        .load(c)?
                };
                return Ok(Rotation::Reused { revoked_access });
            }
            let live = consent.revoked_at.is_none()
                && consent.expires_at > now
                && token.expires_at > now
                && app.revoked_at.is_none();
            if !live {
                return Ok(Rotation::Invalid);
            }
            // Spending only an unspent row makes two concurrent presentations of one token a reuse.
            let spent = diesel::update(app_tokens::table.find(hash))
                .filter(app_tokens::spent_at.is_null())
                .set(app_tokens::spent_at.eq(Some(now)))
                .execute(c)?;
            if spent == 0 {
                return Ok(Rotation::Invalid);
            }
            let pair = AppToken::pair(
                &consent,
                now,
                new_hashes.0.clone(),
                new_hashes.1.clone(),
                access_ttl,
            );
            diesel::insert_into(app_tokens::table)
                .values(&pair[..])
                .execute(c)?;
            Ok::<_, diesel::result::Error>(Rotation::Rotated {
                consent: Box::new(consent),
                app: Box::new(app),
            })
        }))?;
        Ok(rotation)
    }
}
