//! Background fan-outs of a notice's mail: one `notice_fanouts` row per notice with work left, its stage
//! ('alert', then 'reminder') and a cursor (the last citizen id handled), so a restarted process continues
//! where the last one stopped instead of starting again.
//!
//! A row is claimed by moving its `due_at` a lease into the future: no other process sees it as due until
//! the lease runs out, and every step checks that `due_at` is still the value its claim set (the claim), so a
//! process that stalled past its lease cannot overwrite the progress of the one that took over.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::ids::{CitizenId, NoticeId};
use crate::models::notice::Notice;
use crate::schema::notice_fanouts;
use crate::{AnyConnection, StorageError, with_conn};

/// Alerts are being queued.
pub const STAGE_ALERT: &str = "alert";
/// Alerts are done; reminders are queued when `due_at` comes.
pub const STAGE_REMINDER: &str = "reminder";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = notice_fanouts)]
pub struct Fanout {
    pub notice_id: NoticeId,
    /// [`STAGE_ALERT`] or [`STAGE_REMINDER`].
    pub stage: String,
    /// The last citizen id handled in this stage; empty before the first.
    pub cursor: String,
    pub due_at: i64,
    pub updated_at: i64,
}

/// One citizen a mail goes to: the confirmed address, its unsubscribe token and the citizen's language.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Recipient {
    #[diesel(sql_type = Text)]
    pub citizen_id: CitizenId,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Text)]
    pub unsubscribe_token: String,
    #[diesel(sql_type = Text)]
    pub lang: String,
}

impl Fanout {
    /// (Re)starts a notice's fan-out from the first citizen, alerts due at `now` (a list that grew is gone
    /// over again). Mails are deduplicated per notice and citizen, so citizens already alerted get nothing more.
    pub fn start(conn: &mut AnyConnection, notice: NoticeId, now: i64) -> Result<(), StorageError> {
        use diesel::upsert::excluded;
        let row = Fanout {
            notice_id: notice,
            stage: STAGE_ALERT.to_owned(),
            cursor: String::new(),
            due_at: now,
            updated_at: now,
        };
        with_conn!(conn, |c| diesel::insert_into(notice_fanouts::table)
            .values(&row)
            .on_conflict(notice_fanouts::notice_id)
            .do_update()
            .set((
                notice_fanouts::stage.eq(excluded(notice_fanouts::stage)),
                notice_fanouts::cursor.eq(excluded(notice_fanouts::cursor)),
                notice_fanouts::due_at.eq(excluded(notice_fanouts::due_at)),
                notice_fanouts::updated_at.eq(excluded(notice_fanouts::updated_at)),
            ))
            .execute(c))?;
        Ok(())
    }

    pub fn find(
        conn: &mut AnyConnection,
        notice: NoticeId,
    ) -> Result<Option<Fanout>, StorageError> {
        let found = with_conn!(conn, |c| notice_fanouts::table
            .find(notice)
            .select(Fanout::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Claims up to `limit` due fan-outs until `now + lease_ms`; the returned rows' `due_at` is the claim.
    pub fn claim(
        conn: &mut AnyConnection,
        now: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Fanout>, StorageError> {
        let until = now + lease_ms;
        let rows = match conn {
            AnyConnection::Postgres(c) => diesel::sql_query(
                "UPDATE notice_fanouts SET due_at = $1, updated_at = $2 \
                 WHERE notice_id IN (SELECT notice_id FROM notice_fanouts WHERE due_at <= $2 \
                   ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING *",
            )
            .bind::<diesel::sql_types::BigInt, _>(until)
            .bind::<diesel::sql_types::BigInt, _>(now)
            .bind::<diesel::sql_types::BigInt, _>(limit)
            .load::<Fanout>(c)?,
            // The write lock is taken before the read, so two processes never claim the same row.
            AnyConnection::Sqlite(c) => c.immediate_transaction(|c| {
                let ids: Vec<NoticeId> = notice_fanouts::table
                    .filter(notice_fanouts::due_at.le(now))
                    .order(notice_fanouts::due_at)
                    .limit(limit)
                    .select(notice_fanouts::notice_id)
                    .load(c)?;
                diesel::update(
                    notice_fanouts::table.filter(notice_fanouts::notice_id.eq_any(&ids)),
                )
                .set((
                    notice_fanouts::due_at.eq(until),
                    notice_fanouts::updated_at.eq(now),
                ))
                .execute(c)?;
                notice_fanouts::table
                    .filter(notice_fanouts::notice_id.eq_any(&ids))
                    .select(Fanout::as_select())
                    .load(c)
            })?,
        };
        Ok(rows)
    }

    /// Saves progress under the claim `claim`: the stage, its cursor and when the row is next due (a new
    /// lease while work goes on, or the reminder's time). Returns false when the claim is no longer ours (the
    /// lease ran out and another process took over, or the notice was withdrawn and the row removed).
    pub fn advance(
        conn: &mut AnyConnection,
        notice: NoticeId,
        claim: i64,
        stage: &str,
        cursor: &str,
        due_at: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::update(
            notice_fanouts::table
                .filter(notice_fanouts::notice_id.eq(notice))
                .filter(notice_fanouts::due_at.eq(claim))
        )
        .set((
            notice_fanouts::stage.eq(stage),
            notice_fanouts::cursor.eq(cursor),
            notice_fanouts::due_at.eq(due_at),
            notice_fanouts::updated_at.eq(now),
        ))
        .execute(c))?;
        Ok(n == 1)
    }

    /// Removes the row: the fan-out is over (or its notice is gone or withdrawn).
    pub fn finish(
        conn: &mut AnyConnection,
        notice: NoticeId,
        claim: i64,
    ) -> Result<bool, StorageError> {
        let n = with_conn!(conn, |c| diesel::delete(
            notice_fanouts::table
                .filter(notice_fanouts::notice_id.eq(notice))
                .filter(notice_fanouts::due_at.eq(claim))
        )
        .execute(c))?;
        Ok(n == 1)
    }
}

/// Which mail a recipients query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Alert,
    Reminder,
}

/// The next `limit` citizens after `after` (by citizen id) who are addressed by `notice` and have a confirmed
/// address opted in to its category. For [`Stage::Reminder`], only those whose alert was sent and who have
/// not read the notice.
///
/// A list notice walks its `notice_recipients` rows (index on notice and citizen); a rule notice walks the
/// addresses in citizen order and matches the rule on the citizen row, as [`Notice::rule_matches`] does:
/// addresses are far fewer than citizens, and a rule (say, everyone) may match millions. A large list walks
/// the addresses too, finding each citizen in the chunk of their bucket.
pub fn recipients(
    conn: &mut AnyConnection,
    notice: &Notice,
    stage: Stage,
    after: &str,
    limit: i64,
) -> Result<Vec<Recipient>, StorageError> {
    let mut sql = String::from(
        "SELECT ea.citizen_id AS citizen_id, ea.address AS address, \
         ea.unsubscribe_token AS unsubscribe_token, c.lang AS lang ",
    );
    let mut binds: Vec<String> = Vec::new();
    if notice.is_rule() {
        sql.push_str(
            "FROM email_addresses ea JOIN citizens c ON c.id = ea.citizen_id \
             WHERE ea.citizen_id > ? AND ea.categories LIKE ?",
        );
        binds.push(after.to_owned());
        binds.push(format!("%,{},%", notice.category));
        let areas: Vec<&str> = notice
            .rule_areas
            .split(',')
            .filter(|a| !a.is_empty())
            .collect();
        if !areas.is_empty() {
            sql.push_str(" AND c.municipality_code IN (");
            sql.push_str(&vec!["?"; areas.len()].join(", "));
            sql.push(')');
            binds.extend(areas.iter().map(|a| (*a).to_owned()));
        }
        if let Some(from) = &notice.rule_born_from {
            sql.push_str(" AND c.birth_date >= ?");
            binds.push(from.clone());
        }
        if let Some(to) = &notice.rule_born_to {
            sql.push_str(" AND c.birth_date <= ?");
            binds.push(to.clone());
        }
    } else if notice.is_large_list() {
        // Like a rule: the addresses in citizen order, each looked up in its bucket's chunks.
        sql.push_str(
            "FROM email_addresses ea JOIN citizens c ON c.id = ea.citizen_id \
             WHERE ea.citizen_id > ? AND ea.categories LIKE ? \
             AND EXISTS (SELECT 1 FROM notice_list_chunks k \
               WHERE k.bucket = substr(ea.citizen_id, 34, 3) AND k.notice_id = ? \
               AND k.citizens LIKE '%' || ea.citizen_id || '%')",
        );
        binds.push(after.to_owned());
        binds.push(format!("%,{},%", notice.category));
        binds.push(notice.id.to_string());
    } else {
        sql.push_str(
            "FROM notice_recipients nr \
             JOIN email_addresses ea ON ea.citizen_id = nr.citizen_id \
             JOIN citizens c ON c.id = nr.citizen_id \
             WHERE nr.notice_id = ? AND nr.listed AND nr.citizen_id > ? AND ea.categories LIKE ?",
        );
        binds.push(notice.id.to_string());
        binds.push(after.to_owned());
        binds.push(format!("%,{},%", notice.category));
    }
    if stage == Stage::Reminder {
        // The alert is found by its dedupe key (a unique index), not by scanning the notice's mails.
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM mail_outbox m \
               WHERE m.dedupe_key = 'notice_alert:' || ? || ':' || ea.citizen_id AND m.status = 'sent') \
             AND NOT EXISTS (SELECT 1 FROM notice_recipients r \
               WHERE r.citizen_id = ea.citizen_id AND r.notice_id = ? AND r.read_at IS NOT NULL)",
        );
        binds.push(notice.id.to_string());
        binds.push(notice.id.to_string());
    }
    sql.push_str(&format!(" ORDER BY ea.citizen_id LIMIT {}", limit.max(1)));
    let rows = match conn {
        AnyConnection::Postgres(c) => {
            let mut query = diesel::sql_query(numbered(&sql)).into_boxed::<diesel::pg::Pg>();
            for value in binds {
                query = query.bind::<Text, _>(value);
            }
            query.load::<Recipient>(c)?
        }
        AnyConnection::Sqlite(c) => {
            let mut query = diesel::sql_query(sql).into_boxed::<diesel::sqlite::Sqlite>();
            for value in binds {
                query = query.bind::<Text, _>(value);
            }
            query.load::<Recipient>(c)?
        }
    };
    Ok(rows)
}

/// How many citizens a rule notice addresses (whether or not they have an address): one count.
pub fn count_rule_matches(conn: &mut AnyConnection, notice: &Notice) -> Result<i64, StorageError> {
    use crate::schema::citizens;
    let areas: Vec<String> = notice
        .rule_areas
        .split(',')
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let n = with_conn!(conn, |c| {
        let mut query = citizens::table.into_boxed();
        if !areas.is_empty() {
            query = query.filter(citizens::municipality_code.eq_any(&areas));
        }
        if let Some(from) = &notice.rule_born_from {
            query = query.filter(citizens::birth_date.ge(from));
        }
        if let Some(to) = &notice.rule_born_to {
            query = query.filter(citizens::birth_date.le(to));
        }
        query.count().get_result::<i64>(c)
    })?;
    Ok(n)
}

/// `?` placeholders as PostgreSQL's `$1, $2, …`. The SQL it is given has no `?` inside literals.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(
            numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }
}
