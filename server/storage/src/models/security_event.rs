use diesel::prelude::*;

use crate::ids::{CitizenId, SecurityEventId};
use crate::schema::security_events;
use crate::{AnyConnection, StorageError, with_conn};

/// One line of the security audit log: sign-in successes, failures and lock-outs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events)]
pub struct SecurityEvent {
    pub id: SecurityEventId,
    pub at: i64,
    /// e.g. `sign_in.success`, `sign_in.revoked`, `sign_in.rate_limited`, `card.locked`.
    pub kind: String,
    pub serial: Option<String>,
    pub citizen_id: Option<CitizenId>,
    pub client_addr: String,
    pub detail: String,
}

impl SecurityEvent {
    pub fn record(conn: &mut AnyConnection, row: &SecurityEvent) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(security_events::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// The newest events for a certificate serial, newest first (index on serial, at).
    pub fn recent_for_serial(
        conn: &mut AnyConnection,
        serial: &str,
        limit: i64,
    ) -> Result<Vec<SecurityEvent>, StorageError> {
        let rows = with_conn!(conn, |c| security_events::table
            .filter(security_events::serial.eq(serial))
            .order(security_events::at.desc())
            .limit(limit)
            .select(SecurityEvent::as_select())
            .load(c))?;
        Ok(rows)
    }
}
