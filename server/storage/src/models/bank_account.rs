//! 公金受取口座 as stored: one account per citizen, and the history of what happened to it.

use diesel::prelude::*;

use crate::ids::{BankEventId, CitizenId};
use crate::schema::{bank_account_events, bank_accounts};
use crate::{AnyConnection, StorageError, with_conn};

/// Through which channel a registration came.
pub mod channel {
    /// The citizen, on the portal.
    pub const PORTAL: &str = "portal";
    /// A bank counter, through the bank's agency client.
    pub const BANK: &str = "bank";
    /// The portal itself, when the bank table changed under the account.
    pub const SYSTEM: &str = "system";
}

/// What happened to the account.
pub mod event {
    pub const REGISTERED: &str = "registered";
    pub const CHANGED: &str = "changed";
    pub const DELETED: &str = "deleted";
    pub const INVALIDATED: &str = "invalidated";
}

/// The citizen's account.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = bank_accounts, treat_none_as_null = true)]
pub struct BankAccount {
    pub citizen_id: CitizenId,
    pub bank_code: String,
    pub branch_code: String,
    /// `ordinary`, `current` or `savings`.
    pub account_type: String,
    /// Seven digits.
    pub account_number: String,
    /// Half-width katakana in the Zengin character set, as banks keep it.
    pub holder_name: String,
    /// The branch's kana name when registered.
    pub branch_kana: String,
    /// [`channel`].
    pub channel: String,
    /// The bank's agency code, for [`channel::BANK`].
    pub channel_agency: Option<String>,
    /// When the registration was completed (Unix milliseconds): the latest wins.
    pub completed_at: i64,
    pub invalid_since: Option<i64>,
    /// `bank_gone`, `branch_gone` or `branch_kana_changed`.
    pub invalid_reason: Option<String>,
}

impl BankAccount {
    /// The account number as shown: all but its last three digits hidden.
    pub fn masked_number(&self) -> String {
        mask(&self.account_number)
    }

    pub fn is_valid(&self) -> bool {
        self.invalid_since.is_none()
    }

    pub fn find(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Option<BankAccount>, StorageError> {
        let found = with_conn!(conn, |c| bank_accounts::table
            .find(citizen)
            .select(BankAccount::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The accounts of many citizens at once (a payment batch), in chunks inside SQLite's variable limit.
    pub fn find_many(
        conn: &mut AnyConnection,
        citizens: &[CitizenId],
    ) -> Result<Vec<BankAccount>, StorageError> {
        let mut found = Vec::with_capacity(citizens.len());
        for chunk in citizens.chunks(30_000) {
            found.extend(with_conn!(conn, |c| bank_accounts::table
                .filter(bank_accounts::citizen_id.eq_any(chunk))
                .select(BankAccount::as_select())
                .load(c))?);
        }
        Ok(found)
    }

    /// Stores `row` as the citizen's account unless the stored one was completed later (the last completed
    /// registration wins, whatever order the channels report in). Returns whether it was stored.
    pub fn register(conn: &mut AnyConnection, row: &BankAccount) -> Result<bool, StorageError> {
        let stored = with_conn!(conn, |c| diesel::query_dsl::methods::FilterDsl::filter(
            diesel::insert_into(bank_accounts::table)
                .values(row)
                .on_conflict(bank_accounts::citizen_id)
                .do_update()
                .set(row),
            bank_accounts::completed_at.le(row.completed_at)
        )
        .execute(c))?;
        Ok(stored > 0)
    }

    /// Deletes the citizen's account; returns whether there was one.
    pub fn delete(conn: &mut AnyConnection, citizen: CitizenId) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::delete(bank_accounts::table.find(citizen))
            .execute(c))?;
        Ok(n > 0)
    }

    /// The valid accounts under any of the `(bank code, branch code)` pairs, through the branch index.
    pub fn valid_under(
        conn: &mut AnyConnection,
        branches: &[(String, String)],
    ) -> Result<Vec<BankAccount>, StorageError> {
        let mut found = Vec::new();
        for (bank, branch) in branches {
            found.extend(with_conn!(conn, |c| bank_accounts::table
                .filter(bank_accounts::bank_code.eq(bank))
                .filter(bank_accounts::branch_code.eq(branch))
                .filter(bank_accounts::invalid_since.is_null())
                .select(BankAccount::as_select())
                .load(c))?);
        }
        Ok(found)
    }

    /// Marks the account invalid from `at`, for `reason`.
    pub fn invalidate(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        at: i64,
        reason: &str,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(bank_accounts::table.find(citizen))
            .set((
                bank_accounts::invalid_since.eq(Some(at)),
                bank_accounts::invalid_reason.eq(Some(reason)),
            ))
            .execute(c))?;
        Ok(())
    }
}

/// `number` with all but its last three characters as `*`.
pub fn mask(number: &str) -> String {
    let n = number.chars().count();
    number
        .chars()
        .enumerate()
        .map(|(i, c)| if i + 3 < n { '*' } else { c })
        .collect()
}

/// One entry of the citizen's account history.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = bank_account_events)]
pub struct BankAccountEvent {
    pub id: BankEventId,
    pub citizen_id: CitizenId,
    /// [`event`].
    pub kind: String,
    /// [`channel`].
    pub channel: String,
    pub channel_agency: Option<String>,
    /// The account after the event (before it, for a deletion or invalidation).
    pub bank_code: Option<String>,
    pub branch_code: Option<String>,
    pub account_type: Option<String>,
    /// The last three digits of the account number: all the history ever shows.
    pub number_last3: Option<String>,
    pub at: i64,
}

impl BankAccountEvent {
    /// An event about `account`.
    pub fn about(
        account: &BankAccount,
        kind: &str,
        channel: &str,
        agency: Option<String>,
        at: i64,
    ) -> Self {
        let digits = account.account_number.chars().count();
        BankAccountEvent {
            id: BankEventId::new(),
            citizen_id: account.citizen_id,
            kind: kind.to_owned(),
            channel: channel.to_owned(),
            channel_agency: agency,
            bank_code: Some(account.bank_code.clone()),
            branch_code: Some(account.branch_code.clone()),
            account_type: Some(account.account_type.clone()),
            number_last3: Some(
                account
                    .account_number
                    .chars()
                    .skip(digits.saturating_sub(3))
                    .collect(),
            ),
            at,
        }
    }

    pub fn insert(conn: &mut AnyConnection, row: &BankAccountEvent) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(bank_account_events::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// The citizen's history, newest first, at most `limit` entries.
    pub fn for_citizen(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        limit: i64,
    ) -> Result<Vec<BankAccountEvent>, StorageError> {
        let rows = with_conn!(conn, |c| bank_account_events::table
            .filter(bank_account_events::citizen_id.eq(citizen))
            .order((
                bank_account_events::at.desc(),
                bank_account_events::id.desc()
            ))
            .limit(limit)
            .select(BankAccountEvent::as_select())
            .load(c))?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn only_the_last_three_digits_show() {
        assert_eq!(mask("1234567"), "****567");
        assert_eq!(mask("12"), "12");
    }
}
