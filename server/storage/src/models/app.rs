//! Private apps registered for the 自己情報取得API: who runs them, what for, what they may ask for, and where
//! the authorization server may send citizens back to.

use diesel::prelude::*;

use crate::ids::AppId;
use crate::schema::apps;
use crate::{AnyConnection, StorageError, with_conn};

/// A registered app.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = apps)]
pub struct App {
    pub id: AppId,
    /// The OAuth 2.0 client id.
    pub client_id: String,
    pub name: String,
    /// The company or body that runs it.
    pub operator: String,
    /// Its one stated purpose, shown on the consent page.
    pub purpose: String,
    /// Comma-separated scope codes it may ask for.
    pub scopes: String,
    /// Its redirect URIs, one per line, matched exactly.
    pub redirect_uris: String,
    /// Confidential (has a secret) or public (PKCE alone).
    pub confidential: bool,
    /// argon2id PHC string of a confidential app's secret.
    pub secret_hash: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl App {
    pub fn insert(conn: &mut AnyConnection, row: &App) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(apps::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// A live app by its client id (the unique index answers it).
    pub fn find_by_client_id(
        conn: &mut AnyConnection,
        client_id: &str,
    ) -> Result<Option<App>, StorageError> {
        let found = with_conn!(conn, |c| apps::table
            .filter(apps::client_id.eq(client_id))
            .filter(apps::revoked_at.is_null())
            .select(App::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Withdraws a live app (the operator's decision): from now on it is unknown to the authorization
    /// server. Returns it, or `None` when no live app has that client id.
    pub fn withdraw(
        conn: &mut AnyConnection,
        client_id: &str,
        now: i64,
    ) -> Result<Option<App>, StorageError> {
        let withdrawn = with_conn!(conn, |c| diesel::update(apps::table)
            .filter(apps::client_id.eq(client_id))
            .filter(apps::revoked_at.is_null())
            .set(apps::revoked_at.eq(Some(now)))
            .returning(App::as_returning())
            .get_result(c)
            .optional())?;
        Ok(withdrawn)
    }

    /// Every app, oldest first (a short list: apps are registered by hand).
    pub fn all(conn: &mut AnyConnection) -> Result<Vec<App>, StorageError> {
        let rows = with_conn!(conn, |c| apps::table
            .order(apps::created_at)
            .select(App::as_select())
            .load(c))?;
        Ok(rows)
    }

    pub fn scope_codes(&self) -> Vec<&str> {
        self.scopes.split(',').filter(|s| !s.is_empty()).collect()
    }

    pub fn redirect_uri_list(&self) -> Vec<&str> {
        self.redirect_uris
            .lines()
            .filter(|s| !s.is_empty())
            .collect()
    }
}
