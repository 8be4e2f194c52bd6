use diesel::prelude::*;

use crate::ids::CitizenId;
use crate::schema::{card_links, citizens};
use crate::{AnyConnection, StorageError, with_conn};

/// A citizen's basic four (name, birth date, sex, address) and portal settings.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = citizens)]
pub struct Citizen {
    pub id: CitizenId,
    pub name: String,
    pub name_kana: String,
    /// ISO 8601 date, YYYY-MM-DD.
    pub birth_date: String,
    /// `male`, `female` or `other`.
    pub sex: String,
    pub address: String,
    /// Local public body code (全国地方公共団体コード, 6 digits) of the municipality of residence.
    pub municipality_code: String,
    pub email: Option<String>,
    pub lang: String,
    pub created_at: i64,
}

impl Citizen {
    pub fn insert(conn: &mut AnyConnection, row: &Citizen) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(citizens::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// Many rows per statement, for bulk loading (the demo seeder).
    pub fn insert_bulk(conn: &mut AnyConnection, rows: &[Citizen]) -> Result<(), StorageError> {
        // SQLite allows 32766 bound values per statement; 10 columns each.
        for chunk in rows.chunks(3000) {
            with_conn!(conn, |c| diesel::insert_into(citizens::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(())
    }

    /// Citizens living in the given municipalities, by id after `after` (keyset pagination).
    pub fn in_municipalities(
        conn: &mut AnyConnection,
        codes: &[&str],
        after: Option<CitizenId>,
        limit: i64,
    ) -> Result<Vec<Citizen>, StorageError> {
        let rows = with_conn!(conn, |c| {
            let mut query = citizens::table
                .filter(citizens::municipality_code.eq_any(codes))
                .order(citizens::id)
                .limit(limit)
                .select(Citizen::as_select())
                .into_boxed();
            if let Some(after) = after {
                query = query.filter(citizens::id.gt(after));
            }
            query.load(c)
        })?;
        Ok(rows)
    }

    pub fn find(conn: &mut AnyConnection, id: CitizenId) -> Result<Option<Citizen>, StorageError> {
        let found = with_conn!(conn, |c| citizens::table
            .find(id)
            .select(Citizen::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The citizen an authentication certificate belongs to, by its serial: one indexed join.
    pub fn find_by_card_serial(
        conn: &mut AnyConnection,
        serial: &str,
    ) -> Result<Option<Citizen>, StorageError> {
        let found = with_conn!(conn, |c| card_links::table
            .inner_join(citizens::table)
            .filter(card_links::serial.eq(serial))
            .select(Citizen::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }
}

/// One row of the serial → citizen registry.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = card_links)]
pub struct CardLink {
    /// Serial of the authentication certificate, lower-case hex.
    pub serial: String,
    pub citizen_id: CitizenId,
    pub not_after: i64,
    pub linked_at: i64,
}

impl CardLink {
    /// Links a certificate to a citizen; linking the same serial again changes nothing.
    pub fn link(conn: &mut AnyConnection, row: &CardLink) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(card_links::table)
            .values(row)
            .on_conflict(card_links::serial)
            .do_nothing()
            .execute(c))?;
        Ok(())
    }

    pub fn for_citizen(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Vec<CardLink>, StorageError> {
        let rows = with_conn!(conn, |c| card_links::table
            .filter(card_links::citizen_id.eq(citizen))
            .order(card_links::linked_at.asc())
            .select(CardLink::as_select())
            .load(c))?;
        Ok(rows)
    }
}
