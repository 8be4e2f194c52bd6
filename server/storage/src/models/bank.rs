//! The Zengin table of banks and branches, as loaded: what accounts are checked against. Processes keep the
//! table in memory and read it from here when a newer load appears ([`latest_load`]).

use diesel::prelude::*;

use crate::schema::{bank_branches, bank_directory_loads, banks};
use crate::{AnyConnection, StorageError, with_conn};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = banks, treat_none_as_default_value = false)]
pub struct BankRow {
    /// Four digits.
    pub code: String,
    pub name: String,
    /// Full-width katakana, as the Zengin data has it.
    pub kana: String,
    pub hira: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = bank_branches, treat_none_as_default_value = false)]
pub struct BranchRow {
    pub bank_code: String,
    /// Three digits.
    pub code: String,
    pub name: String,
    pub kana: String,
    pub hira: String,
}

/// One load of the table: the data's date, and when it was loaded (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = bank_directory_loads)]
pub struct DirectoryLoad {
    pub version: String,
    pub loaded_at: i64,
}

/// The newest load, if the table was ever loaded.
pub fn latest_load(conn: &mut AnyConnection) -> Result<Option<DirectoryLoad>, StorageError> {
    let found = with_conn!(conn, |c| bank_directory_loads::table
        .order(bank_directory_loads::loaded_at.desc())
        .select(DirectoryLoad::as_select())
        .first(c)
        .optional())?;
    Ok(found)
}

/// The whole table as loaded, banks and branches each in code order.
pub fn load_all(conn: &mut AnyConnection) -> Result<(Vec<BankRow>, Vec<BranchRow>), StorageError> {
    let (all_banks, branches) = with_conn!(conn, |c| {
        let all_banks = banks::table
            .order(banks::code)
            .select(BankRow::as_select())
            .load(c)?;
        let branches = bank_branches::table
            .order((bank_branches::bank_code, bank_branches::code))
            .select(BranchRow::as_select())
            .load(c)?;
        Ok::<_, diesel::result::Error>((all_banks, branches))
    })?;
    Ok((all_banks, branches))
}

/// Replaces the table with `all_banks` and `branches` and records the load. Call inside a transaction, so
/// readers see the old table or the new one, never half of each.
pub fn replace(
    conn: &mut AnyConnection,
    all_banks: &[BankRow],
    branches: &[BranchRow],
    load: &DirectoryLoad,
) -> Result<(), StorageError> {
    with_conn!(conn, |c| {
        diesel::delete(bank_branches::table).execute(c)?;
        diesel::delete(banks::table).execute(c)
    })?;
    crate::insert_bulk!(conn, banks::table, all_banks, 4)?;
    crate::insert_bulk!(conn, bank_branches::table, branches, 5)?;
    with_conn!(conn, |c| diesel::insert_into(bank_directory_loads::table)
        .values(load)
        .execute(c))?;
    Ok(())
}
