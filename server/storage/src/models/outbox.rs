//! The durable mail outbox: a mail is a row before it is a message, so nothing is lost when the SMTP server
//! or a worker is down. Claiming, sending and recording are the workers' (see the server's outbox service).

use diesel::prelude::*;

use crate::ids::{CitizenId, MailId, NoticeId};
use crate::schema::mail_outbox;
use crate::{AnyConnection, StorageError, with_conn};

/// What a mail is for; the worker renders its text from the purpose and the row's params.
pub mod purpose {
    /// "A notice from <agency> is waiting": params `agency_ja`, `agency_en`, `unsubscribe_token`.
    pub const NOTICE_ALERT: &str = "notice_alert";
    /// The same, once, for a notice still unread after the configured days.
    pub const NOTICE_REMINDER: &str = "notice_reminder";
    /// The 6-digit code that confirms a new address: params `code`.
    pub const CONFIRM_ADDRESS: &str = "confirm_address";
}

pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_outbox, treat_none_as_default_value = false)]
pub struct OutboxMail {
    pub id: MailId,
    /// One of [`purpose`].
    pub purpose: String,
    /// Unique: e.g. `notice_alert:<notice>:<citizen>`, so a repeated fan-out never queues a mail twice.
    pub dedupe_key: String,
    pub notice_id: Option<NoticeId>,
    pub citizen_id: Option<CitizenId>,
    pub to_address: String,
    /// `ja` or `en`: the language of the mail's own words.
    pub lang: String,
    /// JSON object: what the purpose's template needs.
    pub params: String,
    /// One of [`status`].
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub claimed_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl OutboxMail {
    /// A new queued mail, due now.
    pub fn queued(
        purpose: &str,
        dedupe_key: String,
        to_address: String,
        lang: String,
        params: String,
        now: i64,
    ) -> OutboxMail {
        OutboxMail {
            id: MailId::new(),
            purpose: purpose.to_owned(),
            dedupe_key,
            notice_id: None,
            citizen_id: None,
            to_address,
            lang,
            params,
            status: status::QUEUED.to_owned(),
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        }
    }

    /// Queues the mails, skipping any whose dedupe key is already queued or sent. Returns how many were
    /// added. Many rows per statement.
    pub fn enqueue(conn: &mut AnyConnection, rows: &[OutboxMail]) -> Result<usize, StorageError> {
        let mut added = 0;
        // SQLite allows 32766 bound values per statement; 15 columns each.
        for chunk in rows.chunks(2000) {
            added += with_conn!(conn, |c| diesel::insert_into(mail_outbox::table)
                .values(chunk)
                .on_conflict(mail_outbox::dedupe_key)
                .do_nothing()
                .execute(c))?;
        }
        Ok(added)
    }
}
