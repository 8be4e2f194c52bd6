//! 代理人: a citizen (the principal) names another citizen as their proxy. The principal invites with a
//! one-time code (only its hash is stored); the proxy accepts by signing in with their own card and giving
//! the code. Only the principal ends it early. Card renewal does not end it: it joins citizens, not cards.

use diesel::prelude::*;

use crate::ids::{CitizenId, ProxyId};
use crate::schema::{citizens, proxies};
use crate::{AnyConnection, StorageError, with_conn};

/// The proxy may read the principal's data only.
pub const READ: &str = "read";
/// The proxy may read and act (apply, reply, read notices), within what the portal allows proxies.
pub const ACT: &str = "act";

/// Who did something for a citizen when it was not the citizen: their proxy, with their name as it was
/// then. Records made while acting keep both, so they stay true after names change or the proxy ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActingProxy {
    pub id: CitizenId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = proxies)]
pub struct Proxy {
    pub id: ProxyId,
    pub principal_id: CitizenId,
    /// Filled when the invitation is accepted.
    pub proxy_id: Option<CitizenId>,
    /// [`READ`] or [`ACT`].
    pub scope: String,
    /// The last day (Japan time, YYYY-MM-DD) the proxy may act.
    pub ends_on: String,
    /// SHA-256 of the invitation code, until it is accepted.
    pub invitation_hash: Option<String>,
    pub invitation_expires_at: i64,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    /// Ended early by the principal.
    pub ended_at: Option<i64>,
}

impl Proxy {
    /// In force on `today` (YYYY-MM-DD, Japan): accepted, not ended, not past its last day.
    pub fn in_force(&self, today: &str) -> bool {
        self.proxy_id.is_some() && self.ended_at.is_none() && self.ends_on.as_str() >= today
    }

    /// An invitation still open at `now`: not accepted, not withdrawn, not expired.
    pub fn invitation_open(&self, now: i64) -> bool {
        self.proxy_id.is_none() && self.ended_at.is_none() && self.invitation_expires_at > now
    }

    pub fn find(conn: &mut AnyConnection, id: ProxyId) -> Result<Option<Proxy>, StorageError> {
        let found = with_conn!(conn, |c| proxies::table
            .find(id)
            .select(Proxy::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    pub fn insert(conn: &mut AnyConnection, row: &Proxy) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(proxies::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// The open invitation whose code hashes to `hash`, with the principal's name.
    pub fn find_invitation(
        conn: &mut AnyConnection,
        hash: &str,
        now: i64,
    ) -> Result<Option<(Proxy, String)>, StorageError> {
        let found = with_conn!(conn, |c| proxies::table
            .inner_join(citizens::table.on(citizens::id.eq(proxies::principal_id)))
            .filter(proxies::invitation_hash.eq(hash))
            .select((Proxy::as_select(), citizens::name))
            .first::<(Proxy, String)>(c)
            .optional())?;
        Ok(found.filter(|(p, _)| p.invitation_open(now)))
    }

    /// Accepts the invitation for `proxy`, if it is still open: one conditional update, so of two
    /// acceptances at once only one succeeds. The code's hash is cleared: it cannot be used again.
    pub fn accept(
        conn: &mut AnyConnection,
        id: ProxyId,
        proxy: CitizenId,
        now: i64,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(proxies::table.find(id))
            .filter(proxies::proxy_id.is_null())
            .filter(proxies::ended_at.is_null())
            .filter(proxies::invitation_expires_at.gt(now))
            .set((
                proxies::proxy_id.eq(Some(proxy)),
                proxies::accepted_at.eq(Some(now)),
                proxies::invitation_hash.eq(None::<String>),
            ))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// Ends the proxy (or withdraws the invitation) named by `principal`; false when there is no such one
    /// still running.
    pub fn end(
        conn: &mut AnyConnection,
        id: ProxyId,
        principal: CitizenId,
        now: i64,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(proxies::table.find(id))
            .filter(proxies::principal_id.eq(principal))
            .filter(proxies::ended_at.is_null())
            .set((
                proxies::ended_at.eq(Some(now)),
                proxies::invitation_hash.eq(None::<String>),
            ))
            .execute(c))?;
        Ok(changed == 1)
    }

    /// The proxies `principal` named, newest first (at most `limit`).
    pub fn given(
        conn: &mut AnyConnection,
        principal: CitizenId,
        limit: i64,
    ) -> Result<Vec<Proxy>, StorageError> {
        let rows = with_conn!(conn, |c| proxies::table
            .filter(proxies::principal_id.eq(principal))
            .order(proxies::created_at.desc())
            .limit(limit)
            .select(Proxy::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Those `proxy` was named proxy for and accepted, newest first (at most `limit`).
    pub fn held(
        conn: &mut AnyConnection,
        proxy: CitizenId,
        limit: i64,
    ) -> Result<Vec<Proxy>, StorageError> {
        let rows = with_conn!(conn, |c| proxies::table
            .filter(proxies::proxy_id.eq(Some(proxy)))
            .order(proxies::created_at.desc())
            .limit(limit)
            .select(Proxy::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// The proxy relation in force between the two on `today`, if any.
    pub fn in_force_between(
        conn: &mut AnyConnection,
        principal: CitizenId,
        proxy: CitizenId,
        today: &str,
    ) -> Result<Option<Proxy>, StorageError> {
        let found = with_conn!(conn, |c| proxies::table
            .filter(proxies::proxy_id.eq(Some(proxy)))
            .filter(proxies::principal_id.eq(principal))
            .filter(proxies::ended_at.is_null())
            .filter(proxies::ends_on.ge(today))
            .order(proxies::created_at.desc())
            .select(Proxy::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// How many invitations and proxies of `principal` are running (open or in force) as of `now`/`today`:
    /// one count on the principal's index.
    pub fn running(
        conn: &mut AnyConnection,
        principal: CitizenId,
        now: i64,
        today: &str,
    ) -> Result<usize, StorageError> {
        let open = proxies::proxy_id
            .is_null()
            .and(proxies::invitation_expires_at.gt(now));
        let in_force = proxies::proxy_id
            .is_not_null()
            .and(proxies::ends_on.ge(today));
        let n = with_conn!(conn, |c| proxies::table
            .filter(proxies::principal_id.eq(principal))
            .filter(proxies::ended_at.is_null())
            .filter(open.or(in_force))
            .count()
            .get_result::<i64>(c))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

/// The names of `ids`, in one query.
pub fn names(
    conn: &mut AnyConnection,
    ids: &[CitizenId],
) -> Result<std::collections::HashMap<CitizenId, String>, StorageError> {
    let rows = with_conn!(conn, |c| citizens::table
        .filter(citizens::id.eq_any(ids))
        .select((citizens::id, citizens::name))
        .load::<(CitizenId, String)>(c))?;
    Ok(rows.into_iter().collect())
}
