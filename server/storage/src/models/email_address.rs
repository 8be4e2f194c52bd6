//! The citizen's confirmed e-mail address for notice alerts, the categories that alert, and the token of
//! the one-click unsubscribe link. A change waits (with its code) in the key-value store and reaches this
//! table only once confirmed, so alerts never go to an address nobody has proved they read.

use diesel::prelude::*;

use crate::ids::CitizenId;
use crate::models::notice::NoticeCategory;
use crate::models::outbox::{purpose, status};
use crate::schema::{email_addresses, mail_outbox};
use crate::{AnyConnection, StorageError, with_conn};

/// One row: a citizen's confirmed address.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_addresses)]
pub struct EmailAddress {
    pub citizen_id: CitizenId,
    pub address: String,
    /// Category codes with a comma before and after each (`,tax,health,`), empty for none: the fan-out
    /// matches one category with `LIKE '%,tax,%'`. Read it through [`EmailAddress::categories`].
    pub categories: String,
    /// Random (32 bytes, URL-safe base64); identifies the row in unsubscribe links. Replaced whenever the
    /// address changes, so a link in mail to the old address stops working for the new one.
    pub unsubscribe_token: String,
    pub confirmed_at: i64,
    pub updated_at: i64,
}

/// `categories` as stored: `,tax,health,` in [`NoticeCategory::ALL`] order, or empty for none.
pub fn encode_categories(categories: &[NoticeCategory]) -> String {
    let codes: Vec<&str> = NoticeCategory::ALL
        .into_iter()
        .filter(|c| categories.contains(c))
        .map(NoticeCategory::code)
        .collect();
    if codes.is_empty() {
        String::new()
    } else {
        format!(",{},", codes.join(","))
    }
}

/// The categories in a stored `categories` value; codes the portal no longer knows are left out.
pub fn decode_categories(stored: &str) -> Vec<NoticeCategory> {
    stored
        .split(',')
        .filter_map(NoticeCategory::from_code)
        .collect()
}

/// What [`EmailAddress::save_confirmed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// The citizen had no address: every category alerts until they choose otherwise.
    Added,
    /// The address replaced another; the categories chosen before stay.
    Changed,
}

impl EmailAddress {
    pub fn categories(&self) -> Vec<NoticeCategory> {
        decode_categories(&self.categories)
    }

    pub fn find_by_citizen(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Option<EmailAddress>, StorageError> {
        let found = with_conn!(conn, |c| email_addresses::table
            .find(citizen)
            .select(EmailAddress::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    pub fn find_by_unsubscribe_token(
        conn: &mut AnyConnection,
        token: &str,
    ) -> Result<Option<EmailAddress>, StorageError> {
        let found = with_conn!(conn, |c| email_addresses::table
            .filter(email_addresses::unsubscribe_token.eq(token))
            .select(EmailAddress::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Stores a just-confirmed address: a new row with every category, or the new address in place of the
    /// old one with the categories kept. `fresh_token` (made by the caller, who has the random source)
    /// becomes the unsubscribe token whenever the address is new or different; confirming the same address
    /// again keeps the token, so links already sent keep working.
    pub fn save_confirmed(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        address: &str,
        fresh_token: &str,
        now: i64,
    ) -> Result<Saved, StorageError> {
        let (citizen, address, fresh_token) = (citizen, address.to_owned(), fresh_token.to_owned());
        crate::transaction(conn, move |conn| {
            match Self::find_by_citizen(conn, citizen)? {
                None => {
                    let row = EmailAddress {
                        citizen_id: citizen,
                        address,
                        categories: encode_categories(&NoticeCategory::ALL),
                        unsubscribe_token: fresh_token,
                        confirmed_at: now,
                        updated_at: now,
                    };
                    with_conn!(conn, |c| diesel::insert_into(email_addresses::table)
                        .values(&row)
                        .execute(c))?;
                    Ok(Saved::Added)
                }
                Some(existing) => {
                    let token = if existing.address == address {
                        existing.unsubscribe_token
                    } else {
                        fresh_token
                    };
                    with_conn!(conn, |c| diesel::update(
                        email_addresses::table.find(citizen)
                    )
                    .set((
                        email_addresses::address.eq(&address),
                        email_addresses::unsubscribe_token.eq(&token),
                        email_addresses::confirmed_at.eq(now),
                        email_addresses::updated_at.eq(now),
                    ))
                    .execute(c))?;
                    // Alerts queued for the old address are not sent there any more.
                    cancel_queued_alerts(conn, citizen)?;
                    Ok(Saved::Changed)
                }
            }
        })
    }

    /// Chooses the categories that alert. Returns false when the citizen has no address.
    pub fn set_categories(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        categories: &[NoticeCategory],
        now: i64,
    ) -> Result<bool, StorageError> {
        let encoded = encode_categories(categories);
        let changed = with_conn!(conn, |c| diesel::update(
            email_addresses::table.find(citizen)
        )
        .set((
            email_addresses::categories.eq(&encoded),
            email_addresses::updated_at.eq(now),
        ))
        .execute(c))?;
        Ok(changed > 0)
    }

    /// Removes the address; alerts already queued for it are cancelled. Returns false when there was none.
    pub fn delete(conn: &mut AnyConnection, citizen: CitizenId) -> Result<bool, StorageError> {
        crate::transaction(conn, move |conn| {
            let deleted = with_conn!(conn, |c| diesel::delete(
                email_addresses::table.find(citizen)
            )
            .execute(c))?;
            cancel_queued_alerts(conn, citizen)?;
            Ok(deleted > 0)
        })
    }

    /// Stops every alert for the address behind an unsubscribe link: no category alerts any more, the
    /// address stays (the citizen can choose categories again after signing in). Repeating it changes
    /// nothing. `None` when no address has this token.
    pub fn unsubscribe(
        conn: &mut AnyConnection,
        token: &str,
        now: i64,
    ) -> Result<Option<EmailAddress>, StorageError> {
        let token = token.to_owned();
        crate::transaction(conn, move |conn| {
            let Some(mut row) = Self::find_by_unsubscribe_token(conn, &token)? else {
                return Ok(None);
            };
            if !row.categories.is_empty() {
                with_conn!(conn, |c| diesel::update(
                    email_addresses::table.find(row.citizen_id)
                )
                .set((
                    email_addresses::categories.eq(""),
                    email_addresses::updated_at.eq(now),
                ))
                .execute(c))?;
                row.categories = String::new();
                row.updated_at = now;
            }
            cancel_queued_alerts(conn, row.citizen_id)?;
            Ok(Some(row))
        })
    }
}

/// Alerts and reminders for the citizen that no worker has picked up yet will not be sent: their address
/// is gone, changed or unsubscribed. A mail already being sent is left to finish.
fn cancel_queued_alerts(conn: &mut AnyConnection, citizen: CitizenId) -> Result<(), StorageError> {
    with_conn!(conn, |c| diesel::update(
        mail_outbox::table
            .filter(mail_outbox::citizen_id.eq(citizen))
            .filter(mail_outbox::status.eq(status::QUEUED))
            .filter(mail_outbox::purpose.eq_any([purpose::NOTICE_ALERT, purpose::NOTICE_REMINDER]))
    )
    .set(mail_outbox::status.eq(status::CANCELLED))
    .execute(c))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_stored_between_commas_in_portal_order() {
        assert_eq!(encode_categories(&[]), "");
        assert_eq!(
            encode_categories(&[NoticeCategory::Health, NoticeCategory::Tax]),
            ",tax,health,"
        );
        assert_eq!(
            encode_categories(&NoticeCategory::ALL),
            ",tax,pension,health,benefits,disaster,other,"
        );
        assert_eq!(
            decode_categories(",tax,health,"),
            vec![NoticeCategory::Tax, NoticeCategory::Health]
        );
        assert_eq!(decode_categories(""), vec![]);
        assert_eq!(
            decode_categories(",retired,other,"),
            vec![NoticeCategory::Other]
        );
    }
}
