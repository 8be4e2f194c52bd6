use diesel::prelude::*;

use crate::ids::FeedbackId;
use crate::schema::feedback;
use crate::{AnyConnection, StorageError, with_conn};

/// A feedback message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = feedback)]
pub struct Feedback {
    pub id: FeedbackId,
    /// Shown to the sender and quoted in the operator's mail, e.g. `FB-20261126-7K3Q9M`.
    pub reference: String,
    pub topic: String,
    pub area: Option<String>,
    pub message: String,
    /// ISO 8601 date (YYYY-MM-DD) the sender says it happened.
    pub happened_on: Option<String>,
    pub reply_email: Option<String>,
    pub name: Option<String>,
    pub lang: String,
    pub created_at: i64,
}

impl Feedback {
    pub fn insert(conn: &mut AnyConnection, row: &Feedback) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(feedback::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    /// Looks a message up by the reference the sender was given (unique index).
    pub fn find_by_reference(
        conn: &mut AnyConnection,
        reference: &str,
    ) -> Result<Option<Feedback>, StorageError> {
        let found = with_conn!(conn, |c| feedback::table
            .filter(feedback::reference.eq(reference))
            .select(Feedback::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }
}
