use diesel::prelude::*;

use crate::ids::{AgencyId, CitizenId};
use crate::schema::{agencies, agency_clients, agency_pseudonyms};
use crate::{AnyConnection, StorageError, with_conn};

/// What sort of body an agency is; it decides which tasks (事務) it may read data for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgencyKind {
    /// A national ministry or agency (府省庁).
    Ministry,
    /// The Japan Pension Service.
    Pension,
    /// The National Tax Agency.
    Tax,
    /// A municipality; its code is the 6-digit local public body code.
    Municipality,
    /// A health insurer (協会けんぽ, 健康保険組合, 国保組合…).
    Insurer,
    /// A bank: registers 公金受取口座 on a citizen's behalf at its counters; reads nothing.
    Bank,
}

impl AgencyKind {
    pub const ALL: [AgencyKind; 6] = [
        AgencyKind::Ministry,
        AgencyKind::Pension,
        AgencyKind::Tax,
        AgencyKind::Municipality,
        AgencyKind::Insurer,
        AgencyKind::Bank,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AgencyKind::Ministry => "ministry",
            AgencyKind::Pension => "pension",
            AgencyKind::Tax => "tax",
            AgencyKind::Municipality => "municipality",
            AgencyKind::Insurer => "insurer",
            AgencyKind::Bank => "bank",
        }
    }

    pub fn from_code(code: &str) -> Option<AgencyKind> {
        AgencyKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agencies)]
pub struct Agency {
    pub id: AgencyId,
    /// Short stable code: a ministry's abbreviation or a municipality's 6-digit code.
    pub code: String,
    /// [`AgencyKind::code`].
    pub kind: String,
    pub name_ja: String,
    pub name_en: String,
    /// Hex secret the agency's pseudonyms are derived from.
    pub pseudonym_key: String,
    pub created_at: i64,
}

impl Agency {
    pub fn kind(&self) -> Option<AgencyKind> {
        AgencyKind::from_code(&self.kind)
    }

    /// Adds the agency unless one with its code exists; returns the stored one either way.
    pub fn ensure(conn: &mut AnyConnection, row: &Agency) -> Result<Agency, StorageError> {
        with_conn!(conn, |c| diesel::insert_into(agencies::table)
            .values(row)
            .on_conflict(agencies::code)
            .do_nothing()
            .execute(c))?;
        Agency::find_by_code(conn, &row.code)?
            .ok_or_else(|| StorageError::Malformed(format!("agency {} vanished", row.code)))
    }

    pub fn find(conn: &mut AnyConnection, id: AgencyId) -> Result<Option<Agency>, StorageError> {
        let found = with_conn!(conn, |c| agencies::table
            .find(id)
            .select(Agency::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    pub fn find_by_code(
        conn: &mut AnyConnection,
        code: &str,
    ) -> Result<Option<Agency>, StorageError> {
        let found = with_conn!(conn, |c| agencies::table
            .filter(agencies::code.eq(code))
            .select(Agency::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The agencies with these codes (unknown codes are skipped), in one query on the unique code index: to
    /// name the agencies of a page of records or history rows.
    pub fn by_codes(
        conn: &mut AnyConnection,
        codes: &[String],
    ) -> Result<Vec<Agency>, StorageError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let rows = with_conn!(conn, |c| agencies::table
            .filter(agencies::code.eq_any(codes))
            .select(Agency::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Every agency, by code. The registry is small (hundreds), so it is read whole.
    pub fn all(conn: &mut AnyConnection) -> Result<Vec<Agency>, StorageError> {
        let rows = with_conn!(conn, |c| agencies::table
            .order(agencies::code.asc())
            .select(Agency::as_select())
            .load(c))?;
        Ok(rows)
    }
}

/// A machine client of an agency (OAuth2 client credentials).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agency_clients)]
pub struct AgencyClient {
    pub client_id: String,
    pub agency_id: AgencyId,
    /// argon2id PHC string.
    pub secret_hash: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

impl AgencyClient {
    pub fn insert(conn: &mut AnyConnection, row: &AgencyClient) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(agency_clients::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// A client that has not been revoked, with its agency.
    pub fn find_active(
        conn: &mut AnyConnection,
        client_id: &str,
    ) -> Result<Option<(AgencyClient, Agency)>, StorageError> {
        let found = with_conn!(conn, |c| agency_clients::table
            .inner_join(agencies::table)
            .filter(agency_clients::client_id.eq(client_id))
            .filter(agency_clients::revoked_at.is_null())
            .select((AgencyClient::as_select(), Agency::as_select()))
            .first(c)
            .optional())?;
        Ok(found)
    }

    pub fn revoke(
        conn: &mut AnyConnection,
        client_id: &str,
        at: i64,
    ) -> Result<bool, StorageError> {
        let changed = with_conn!(conn, |c| diesel::update(
            agency_clients::table
                .filter(agency_clients::client_id.eq(client_id))
                .filter(agency_clients::revoked_at.is_null())
        )
        .set(agency_clients::revoked_at.eq(Some(at)))
        .execute(c))?;
        Ok(changed > 0)
    }
}

/// One agency's pseudonym (機関別符号) for one citizen.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agency_pseudonyms, treat_none_as_default_value = false)]
pub struct AgencyPseudonym {
    pub agency_id: AgencyId,
    pub pseudonym: String,
    pub citizen_id: CitizenId,
    pub created_at: i64,
}

impl AgencyPseudonym {
    /// Records pseudonyms; ones already recorded are left as they are.
    pub fn insert_many(
        conn: &mut AnyConnection,
        rows: &[AgencyPseudonym],
    ) -> Result<(), StorageError> {
        // SQLite takes no multi-row insert with a conflict clause in diesel: one statement per row there, in
        // one transaction (the file is local, so that is quick).
        match conn {
            AnyConnection::Postgres(c) => {
                for chunk in rows.chunks(1000) {
                    diesel::insert_into(agency_pseudonyms::table)
                        .values(chunk)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
            AnyConnection::Sqlite(c) => c.transaction(|c| {
                for row in rows {
                    diesel::insert_into(agency_pseudonyms::table)
                        .values(row)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?,
        }
        Ok(())
    }

    /// Many new rows per statement, for bulk loading (the demo seeder); fails on a duplicate.
    pub fn insert_bulk(
        conn: &mut AnyConnection,
        rows: &[AgencyPseudonym],
    ) -> Result<(), StorageError> {
        crate::insert_bulk!(conn, agency_pseudonyms::table, rows, 4)?;
        Ok(())
    }

    /// The citizens behind `pseudonyms` of one agency: (pseudonym, citizen) for those known. One query.
    pub fn resolve(
        conn: &mut AnyConnection,
        agency: AgencyId,
        pseudonyms: &[String],
    ) -> Result<Vec<(String, CitizenId)>, StorageError> {
        let rows = with_conn!(conn, |c| agency_pseudonyms::table
            .filter(agency_pseudonyms::agency_id.eq(agency))
            .filter(agency_pseudonyms::pseudonym.eq_any(pseudonyms))
            .select((agency_pseudonyms::pseudonym, agency_pseudonyms::citizen_id))
            .load::<(String, CitizenId)>(c))?;
        Ok(rows)
    }
}
