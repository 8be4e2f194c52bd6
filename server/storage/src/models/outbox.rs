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
    /// The citizen's 公金受取口座 was registered, changed, deleted or invalidated.
    pub const ACCOUNT_CHANGED: &str = "account_changed";
    /// An application was sent: params `receipt`, `application` (its id), `date`, `time`.
    pub const APPLICATION_SENT: &str = "application_sent";
}

pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
    pub const CANCELLED: &str = "cancelled";
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable, Insertable)]
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
    /// When a worker had written the whole message to the SMTP server and had only the final dot left; a
    /// mail taken over with this set is recorded as sent, not sent again (see [`OutboxMail::hand_over`]).
    pub handed_over_at: Option<i64>,
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
            handed_over_at: None,
        }
    }

    /// Queues the mails, skipping any whose dedupe key is already queued or sent. Returns how many were
    /// added. Many rows per statement.
    pub fn enqueue(conn: &mut AnyConnection, rows: &[OutboxMail]) -> Result<usize, StorageError> {
        let mut added = 0;
        // SQLite allows 32766 bound values per statement; 16 columns each.
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

/// How a failed send is tried again: after `first_delay_ms`, doubling each time up to `max_delay_ms`, and
/// given up (status `failed`) once the mail has had `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first_delay_ms: i64,
    pub max_delay_ms: i64,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    /// 30 s, 1, 2, 4, 8, 16, 32 minutes, then hourly: ten attempts span about four hours, long enough to ride
    /// out a mail relay's restart or a short outage without keeping a hopeless mail for days.
    fn default() -> Self {
        RetryPolicy {
            first_delay_ms: 30_000,
            max_delay_ms: 3_600_000,
            max_attempts: 10,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt (1 for the first).
    pub fn delay_ms(&self, attempts: i32) -> i64 {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 40)).unwrap_or(0);
        self.first_delay_ms
            .saturating_mul(1_i64.checked_shl(doublings).unwrap_or(i64::MAX))
            .min(self.max_delay_ms)
    }
}

/// What became of a notice's mails: the agency's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MailCounts {
    pub queued: i64,
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
}

/// Longest `last_error` kept: enough for an SMTP reply, never a whole transcript.
const MAX_ERROR_CHARS: usize = 500;

impl OutboxMail {
    /// Claims up to `limit` due mails for one worker until `now + lease_ms`: queued mails whose time has come,
    /// and mails whose previous worker's claim ran out (it stopped or died). Each claim counts as an attempt.
    /// The returned rows carry the claim in `claimed_until`; the later calls take it back as `claim` so a
    /// worker whose claim was taken over cannot record anything for the mail.
    pub fn claim(
        conn: &mut AnyConnection,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxMail>, StorageError> {
        let until = now + lease_ms;
        let rows = match conn {
            // SKIP LOCKED: concurrent workers (in any process) each get different rows without waiting for one
            // another. The repeated `status IN (…)` lets the planner use the partial index mail_outbox_due.
            AnyConnection::Postgres(c) => diesel::sql_query(
                "UPDATE mail_outbox SET status = 'sending', claimed_until = $1, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM mail_outbox \
                   WHERE status IN ('queued', 'sending') \
                     AND ((status = 'queued' AND next_attempt_at <= $2) \
                       OR (status = 'sending' AND claimed_until < $2)) \
                   ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING *",
            )
            .bind::<diesel::sql_types::BigInt, _>(until)
            .bind::<diesel::sql_types::BigInt, _>(now)
            .bind::<diesel::sql_types::BigInt, _>(limit)
            .load::<OutboxMail>(c)?,
            // SQLite has one writer at a time: an immediate transaction takes the write lock before it reads, so
            // no other process can pick the same rows between the select and the update.
            AnyConnection::Sqlite(c) => c.immediate_transaction(|c| {
                let due = mail_outbox::status
                    .eq(status::QUEUED)
                    .and(mail_outbox::next_attempt_at.le(now))
                    .or(mail_outbox::status
                        .eq(status::SENDING)
                        .and(mail_outbox::claimed_until.lt(now)));
                let ids: Vec<MailId> = mail_outbox::table
                    .filter(due)
                    .order(mail_outbox::next_attempt_at)
                    .limit(limit)
                    .select(mail_outbox::id)
                    .load(c)?;
                if ids.is_empty() {
                    return Ok::<_, diesel::result::Error>(Vec::new());
                }
                diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
                    .set((
                        mail_outbox::status.eq(status::SENDING),
                        mail_outbox::claimed_until.eq(Some(until)),
                        mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                    ))
                    .execute(c)?;
                mail_outbox::table
                    .filter(mail_outbox::id.eq_any(&ids))
                    .order(mail_outbox::next_attempt_at)
                    .select(OutboxMail::as_select())
                    .load(c)
            })?,
        };
        Ok(rows)
    }

    /// Extends a claim just before the mail is sent, so a claim taken for a whole batch never runs out while
    /// this worker is still busy with it. Returns the new claim, or `None` when the claim is no longer this
    /// worker's (it ran out and another worker took the mail): then the mail must not be sent from here.
    pub fn renew(
        conn: &mut AnyConnection,
        id: MailId,
        claim: i64,
        until: i64,
    ) -> Result<Option<i64>, StorageError> {
        let until = until.max(claim + 1);
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(id, claim))
            .set(mail_outbox::claimed_until.eq(Some(until)))
            .execute(c))?;
        Ok((n == 1).then_some(until))
    }

    /// Marks a claimed mail as handed over: the SMTP server has the whole message but for the final dot,
    /// which is what makes it commit the message. Written after the body and before the dot, so a worker
    /// that takes the mail over after this one died knows whether the server may have it: with the mark it
    /// records the mail as sent instead of sending it twice; without it the server never got the dot and
    /// discarded the message, so it is sent again. False when the claim was no longer this worker's: then
    /// the dot must not be written.
    pub fn hand_over(
        conn: &mut AnyConnection,
        id: MailId,
        claim: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(id, claim))
            .set(mail_outbox::handed_over_at.eq(Some(now)))
            .execute(c))?;
        Ok(n == 1)
    }

    /// Records a handed-over mail as sent without the server's confirmation (a worker took it over from one
    /// that died after the hand-over, or the connection failed after the dot): sent as of the hand-over,
    /// with `note` in `last_error` so such mails can be found. False when the claim was no longer ours or the
    /// mail was not handed over.
    pub fn record_unconfirmed(
        conn: &mut AnyConnection,
        id: MailId,
        claim: i64,
        note: &str,
    ) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::update(
            Self::claimed(id, claim).filter(mail_outbox::handed_over_at.is_not_null())
        )
        .set((
            mail_outbox::status.eq(status::SENT),
            mail_outbox::sent_at.eq(mail_outbox::handed_over_at),
            mail_outbox::claimed_until.eq(None::<i64>),
            mail_outbox::last_error.eq(Some(note.to_owned())),
        ))
        .execute(c))?;
        Ok(n == 1)
    }

    /// Records a mail as sent; only this ends the claim. False when the claim was no longer this worker's.
    pub fn record_sent(
        conn: &mut AnyConnection,
        id: MailId,
        claim: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(id, claim))
            .set((
                mail_outbox::status.eq(status::SENT),
                mail_outbox::sent_at.eq(Some(now)),
                mail_outbox::claimed_until.eq(None::<i64>),
                mail_outbox::last_error.eq(None::<String>),
            ))
            .execute(c))?;
        Ok(n == 1)
    }

    /// Records a failed attempt of a claimed mail (`attempts` as claimed): queued again after the policy's
    /// back-off, or `failed` when the attempts are used up or the failure is permanent (an SMTP 5xx reply, or
    /// a mail that cannot be built). Clears any hand-over mark: a failure means the server did not take the
    /// message (it refused it at the dot, or the dot was never written), so the next attempt sends it again.
    /// Returns the new status, or `None` when the claim was no longer ours.
    pub fn record_failure(
        conn: &mut AnyConnection,
        mail: &OutboxMail,
        now: i64,
        error: &str,
        permanent: bool,
        policy: &RetryPolicy,
    ) -> Result<Option<&'static str>, StorageError> {
        let Some(claim) = mail.claimed_until else {
            return Ok(None);
        };
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let (new_status, next) = if permanent || mail.attempts >= policy.max_attempts {
            (status::FAILED, mail.next_attempt_at)
        } else {
            (status::QUEUED, now + policy.delay_ms(mail.attempts))
        };
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(mail.id, claim))
            .set((
                mail_outbox::status.eq(new_status),
                mail_outbox::next_attempt_at.eq(next),
                mail_outbox::claimed_until.eq(None::<i64>),
                mail_outbox::last_error.eq(Some(error)),
                mail_outbox::handed_over_at.eq(None::<i64>),
            ))
            .execute(c))?;
        Ok((n == 1).then_some(new_status))
    }

    /// Gives a claimed mail back unsent (the worker is stopping): queued again, due at once, and the claim
    /// not counted as an attempt.
    pub fn release(conn: &mut AnyConnection, mail: &OutboxMail) -> Result<bool, StorageError> {
        let Some(claim) = mail.claimed_until else {
            return Ok(false);
        };
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(mail.id, claim))
            .set((
                mail_outbox::status.eq(status::QUEUED),
                mail_outbox::claimed_until.eq(None::<i64>),
                mail_outbox::attempts.eq(mail_outbox::attempts - 1),
            ))
            .execute(c))?;
        Ok(n == 1)
    }

    /// Cancels a claimed mail that is no longer wanted (notice withdrawn, address changed or unsubscribed),
    /// with the reason in `last_error`.
    pub fn cancel(
        conn: &mut AnyConnection,
        mail: &OutboxMail,
        reason: &str,
    ) -> Result<bool, StorageError> {
        let Some(claim) = mail.claimed_until else {
            return Ok(false);
        };
        let n = with_conn!(conn, |c| diesel::update(Self::claimed(mail.id, claim))
            .set((
                mail_outbox::status.eq(status::CANCELLED),
                mail_outbox::claimed_until.eq(None::<i64>),
                mail_outbox::last_error.eq(Some(reason.to_owned())),
            ))
            .execute(c))?;
        Ok(n == 1)
    }

    /// Cancels every still-queued mail of a notice (it was withdrawn). Mails a worker holds right now are
    /// cancelled by that worker, which checks the notice before sending.
    pub fn cancel_queued_for_notice(
        conn: &mut AnyConnection,
        notice: NoticeId,
    ) -> Result<usize, StorageError> {
        let n = with_conn!(conn, |c| diesel::update(
            mail_outbox::table
                .filter(mail_outbox::notice_id.eq(notice))
                .filter(mail_outbox::status.eq(status::QUEUED))
        )
        .set((
            mail_outbox::status.eq(status::CANCELLED),
            mail_outbox::last_error.eq(Some("notice withdrawn".to_owned())),
        ))
        .execute(c))?;
        Ok(n)
    }

    /// How many of a notice's mails are in each status: one grouped query on the mail_outbox_notice index.
    pub fn counts_for_notice(
        conn: &mut AnyConnection,
        notice: NoticeId,
    ) -> Result<MailCounts, StorageError> {
        let rows: Vec<(String, i64)> = with_conn!(conn, |c| mail_outbox::table
            .filter(mail_outbox::notice_id.eq(notice))
            .group_by(mail_outbox::status)
            .select((mail_outbox::status, diesel::dsl::count_star()))
            .load(c))?;
        let mut counts = MailCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                status::QUEUED => counts.queued = n,
                status::SENDING => counts.sending = n,
                status::SENT => counts.sent = n,
                status::FAILED => counts.failed = n,
                status::CANCELLED => counts.cancelled = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    pub fn find(conn: &mut AnyConnection, id: MailId) -> Result<Option<OutboxMail>, StorageError> {
        let found = with_conn!(conn, |c| mail_outbox::table
            .find(id)
            .select(OutboxMail::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// The row of `id` while `claim` (its `claimed_until` when claimed) is still in force.
    fn claimed(id: MailId, claim: i64) -> ClaimedRow {
        mail_outbox::table
            .filter(mail_outbox::id.eq(id))
            .filter(mail_outbox::status.eq(status::SENDING))
            .filter(mail_outbox::claimed_until.eq(Some(claim)))
    }
}

type ClaimedRow = diesel::dsl::Filter<
    diesel::dsl::Filter<
        diesel::dsl::Filter<mail_outbox::table, diesel::dsl::Eq<mail_outbox::id, MailId>>,
        diesel::dsl::Eq<mail_outbox::status, &'static str>,
    >,
    diesel::dsl::Eq<mail_outbox::claimed_until, Option<i64>>,
>;

/// Why each of `mails` should no longer be sent (`None`: still wanted), in order. A notice mail is
/// unwanted once its notice is withdrawn, gone or expired, when the citizen's address was removed or changed
/// (a new address gets a new unsubscribe token) or no longer opts in to the notice's category, and a reminder
/// also once the notice was read. Three queries for the whole batch.
pub fn unwanted(
    conn: &mut AnyConnection,
    mails: &[OutboxMail],
    now: i64,
) -> Result<Vec<Option<&'static str>>, StorageError> {
    use crate::schema::{email_addresses, notice_recipients, notices};
    use std::collections::{HashMap, HashSet};

    let notice_ids: Vec<NoticeId> = mails
        .iter()
        .filter_map(|m| m.notice_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if notice_ids.is_empty() {
        return Ok(vec![None; mails.len()]);
    }
    let citizen_ids: Vec<CitizenId> = mails
        .iter()
        .filter(|m| m.notice_id.is_some())
        .filter_map(|m| m.citizen_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // (id, category, withdrawn_at, expires_at) and (citizen, address, categories, unsubscribe token).
    type NoticeState = (NoticeId, String, Option<i64>, Option<i64>);
    type AddressState = (CitizenId, String, String, String);
    type Loaded = (
        Vec<NoticeState>,
        Vec<AddressState>,
        Vec<(CitizenId, NoticeId)>,
    );
    let (notice_rows, addresses, read): Loaded = with_conn!(conn, |c| {
        let notice_rows = notices::table
            .filter(notices::id.eq_any(&notice_ids))
            .select((
                notices::id,
                notices::category,
                notices::withdrawn_at,
                notices::expires_at,
            ))
            .load(c)?;
        let addresses = email_addresses::table
            .filter(email_addresses::citizen_id.eq_any(&citizen_ids))
            .select((
                email_addresses::citizen_id,
                email_addresses::address,
                email_addresses::categories,
                email_addresses::unsubscribe_token,
            ))
            .load(c)?;
        let read = notice_recipients::table
            .filter(notice_recipients::notice_id.eq_any(&notice_ids))
            .filter(notice_recipients::citizen_id.eq_any(&citizen_ids))
            .filter(notice_recipients::read_at.is_not_null())
            .select((notice_recipients::citizen_id, notice_recipients::notice_id))
            .load(c)?;
        Ok::<_, diesel::result::Error>((notice_rows, addresses, read))
    })?;
    let notice_rows: HashMap<NoticeId, NoticeState> =
        notice_rows.into_iter().map(|n| (n.0, n)).collect();
    let addresses: HashMap<CitizenId, (String, String, String)> = addresses
        .into_iter()
        .map(|(citizen, address, categories, token)| (citizen, (address, categories, token)))
        .collect();
    let read: HashSet<(CitizenId, NoticeId)> = read.into_iter().collect();

    Ok(mails
        .iter()
        .map(|mail| {
            let notice = mail.notice_id?;
            let Some((_, category, withdrawn_at, expires_at)) = notice_rows.get(&notice) else {
                return Some("notice gone");
            };
            if withdrawn_at.is_some() {
                return Some("notice withdrawn");
            }
            if expires_at.is_some_and(|at| at <= now) {
                return Some("notice expired");
            }
            let citizen = mail.citizen_id?;
            let Some((address, categories, token)) = addresses.get(&citizen) else {
                return Some("address removed");
            };
            let sent_token = serde_json::from_str::<serde_json::Value>(&mail.params)
                .ok()
                .and_then(|p| p.get("unsubscribe_token")?.as_str().map(str::to_owned));
            if *address != mail.to_address || sent_token.as_deref() != Some(token.as_str()) {
                return Some("address changed");
            }
            if !categories.contains(&format!(",{category},")) {
                return Some("category turned off");
            }
            if mail.purpose == purpose::NOTICE_REMINDER && read.contains(&(citizen, notice)) {
                return Some("notice read");
            }
            None
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_thirty_seconds_up_to_an_hour() {
        let policy = RetryPolicy::default();
        let delays: Vec<i64> = (1..=9).map(|a| policy.delay_ms(a) / 1000).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(policy.delay_ms(1000), 3_600_000);
    }
}
