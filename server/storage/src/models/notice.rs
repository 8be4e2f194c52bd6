//! お知らせ as stored: one row per notice whoever it reaches. An explicit list is a set of
//! `notice_recipients` rows inserted in bulk; a rule is matched against the citizen when they open the inbox.

use diesel::prelude::*;

use crate::ids::{AgencyId, CitizenId, NoticeId};
use crate::schema::{agency_pseudonyms, mail_outbox, notice_fanouts, notice_recipients, notices};
use crate::{AnyConnection, StorageError, with_conn};

/// What a notice is about; citizens choose per category which ones alert them by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeCategory {
    Tax,
    Pension,
    Health,
    Benefits,
    Disaster,
    Other,
}

impl NoticeCategory {
    pub const ALL: [NoticeCategory; 6] = [
        NoticeCategory::Tax,
        NoticeCategory::Pension,
        NoticeCategory::Health,
        NoticeCategory::Benefits,
        NoticeCategory::Disaster,
        NoticeCategory::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeCategory::Tax => "tax",
            NoticeCategory::Pension => "pension",
            NoticeCategory::Health => "health",
            NoticeCategory::Benefits => "benefits",
            NoticeCategory::Disaster => "disaster",
            NoticeCategory::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<NoticeCategory> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// How prominently the inbox shows a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importance {
    Normal,
    High,
}

impl Importance {
    pub const ALL: [Importance; 2] = [Importance::Normal, Importance::High];

    pub fn code(self) -> &'static str {
        match self {
            Importance::Normal => "normal",
            Importance::High => "high",
        }
    }

    pub fn from_code(code: &str) -> Option<Importance> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }
}

pub const AUDIENCE_LIST: &str = "list";
pub const AUDIENCE_RULE: &str = "rule";

/// One notice.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notices, treat_none_as_default_value = false)]
pub struct Notice {
    pub id: NoticeId,
    pub agency_id: AgencyId,
    /// [`AUDIENCE_LIST`] or [`AUDIENCE_RULE`].
    pub audience: String,
    /// Rule: comma-separated municipality codes; empty for everywhere.
    pub rule_areas: String,
    /// Rule: inclusive birth-date bounds (YYYY-MM-DD) the age range meant on the day of posting.
    pub rule_born_from: Option<String>,
    pub rule_born_to: Option<String>,
    pub title: String,
    /// Plain text: paragraphs separated by blank lines; http(s) addresses become links when shown.
    pub body: String,
    /// The language the agency wrote in, `ja` or `en`.
    pub lang: String,
    /// [`NoticeCategory::code`].
    pub category: String,
    /// [`Importance::code`].
    pub importance: String,
    /// YYYY-MM-DD by which the citizen should act.
    pub deadline: Option<String>,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    /// Unix milliseconds after which the notice leaves the inbox.
    pub expires_at: Option<i64>,
    pub posted_at: i64,
    pub corrected_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    /// Citizens addressed; `None` while a rule's matches are still being counted.
    pub recipients: Option<i64>,
}

/// A citizen on a list notice's list (COPY needs every column, so the marks are here too, unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Insertable)]
#[diesel(table_name = notice_recipients, treat_none_as_default_value = false)]
pub struct Listed {
    pub citizen_id: CitizenId,
    pub notice_id: NoticeId,
    pub listed: bool,
    pub read_at: Option<i64>,
    pub archived_at: Option<i64>,
}

impl Listed {
    pub fn new(citizen_id: CitizenId, notice_id: NoticeId) -> Listed {
        Listed {
            citizen_id,
            notice_id,
            listed: true,
            read_at: None,
            archived_at: None,
        }
    }
}

/// What an agency may change when it corrects a notice.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = notices, treat_none_as_null = true)]
pub struct Correction {
    pub title: String,
    pub body: String,
    pub lang: String,
    pub category: String,
    pub importance: String,
    pub deadline: Option<String>,
    pub action_url: Option<String>,
    pub action_label: Option<String>,
    pub expires_at: Option<i64>,
    pub corrected_at: Option<i64>,
}

/// Per notice, what the agency sees: how many it reached and how many read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadCounts {
    pub read: i64,
}

/// Pseudonyms per statement when storing a list.
const LIST_CHUNK: usize = 1_000_000;
/// From this many names on, a list is resolved with a hash join (see [`Notice::add_listed`]).
const HASH_JOIN_FROM: usize = 50_000;

impl Notice {
    pub fn is_rule(&self) -> bool {
        self.audience == AUDIENCE_RULE
    }

    pub fn insert(conn: &mut AnyConnection, row: &Notice) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::insert_into(notices::table)
            .values(row)
            .execute(c))?;
        Ok(())
    }

    pub fn find(conn: &mut AnyConnection, id: NoticeId) -> Result<Option<Notice>, StorageError> {
        let found = with_conn!(conn, |c| notices::table
            .find(id)
            .select(Notice::as_select())
            .first(c)
            .optional())?;
        Ok(found)
    }

    /// Many notices at once, for bulk loading (the benchmark's million): binary COPY on PostgreSQL, multi-row
    /// INSERTs on SQLite.
    pub fn insert_bulk(conn: &mut AnyConnection, rows: &[Notice]) -> Result<(), StorageError> {
        match conn {
            AnyConnection::Postgres(c) => {
                diesel::copy_from(notices::table)
                    .from_insertable(rows)
                    .execute(c)?;
            }
            // 32766 bound values per statement; 19 columns each.
            AnyConnection::Sqlite(c) => {
                for chunk in rows.chunks(1500) {
                    diesel::insert_into(notices::table)
                        .values(chunk)
                        .execute(c)?;
                }
            }
        }
        Ok(())
    }

    /// List memberships at once, for bulk loading; the pairs must be new.
    pub fn list_bulk(conn: &mut AnyConnection, rows: &[Listed]) -> Result<(), StorageError> {
        match conn {
            AnyConnection::Postgres(c) => {
                diesel::copy_from(notice_recipients::table)
                    .from_insertable(rows)
                    .execute(c)?;
            }
            AnyConnection::Sqlite(c) => {
                for chunk in rows.chunks(10_000) {
                    diesel::insert_into(notice_recipients::table)
                        .values(chunk)
                        .execute(c)?;
                }
            }
        }
        Ok(())
    }

    /// The agency's own notice; another agency's id answers `None`, as if it did not exist.
    pub fn find_for_agency(
        conn: &mut AnyConnection,
        id: NoticeId,
        agency: AgencyId,
    ) -> Result<Option<Notice>, StorageError> {
        Ok(Self::find(conn, id)?.filter(|n| n.agency_id == agency))
    }

    /// Adds the citizens an agency named by its pseudonyms to a list notice, in one statement per chunk
    /// (an `INSERT … SELECT` joining the pseudonym table), skipping any already listed. Returns how many rows
    /// were added; pseudonyms the agency does not know add nothing (the caller finds those with
    /// [`Notice::unknown_pseudonyms`]). `fresh`: the notice was inserted in this transaction, so none of its
    /// rows exist yet and a name given twice is the only possible conflict.
    pub fn add_listed(
        conn: &mut AnyConnection,
        notice: NoticeId,
        agency: AgencyId,
        pseudonyms: &[String],
        fresh: bool,
    ) -> Result<usize, StorageError> {
        let mut added = 0;
        match conn {
            // One array parameter per chunk, inserted in citizen order, so the list's primary-key entries land
            // next to each other instead of all over the index (citizen ids are time-ordered UUIDs).
            AnyConnection::Postgres(c) => {
                for (i, chunk) in pseudonyms.chunks(LIST_CHUNK).enumerate() {
                    // The planner cannot see an array parameter's length and guesses ten names: for a large
                    // list, a hash join over the agency's pseudonyms beats a million index probes (5x here).
                    let large = chunk.len() >= HASH_JOIN_FROM;
                    if large {
                        diesel::sql_query("SET LOCAL enable_nestloop = off").execute(c)?;
                        diesel::sql_query("SET LOCAL work_mem = '256MB'").execute(c)?;
                    }
                    // A fresh notice's first chunk cannot meet an existing row: duplicates are dropped by
                    // DISTINCT, which costs far less than checking each row for a conflict.
                    let conflicts = if fresh && i == 0 {
                        ""
                    } else {
                        " ON CONFLICT DO NOTHING"
                    };
                    added += diesel::sql_query(format!(
                        "INSERT INTO notice_recipients (citizen_id, notice_id, listed) \
                         SELECT p.citizen_id, $1, TRUE \
                         FROM (SELECT DISTINCT pseudonym FROM unnest($3::text[]) AS u (pseudonym)) AS named \
                         JOIN agency_pseudonyms p \
                           ON p.agency_id = $2 AND p.pseudonym = named.pseudonym \
                         ORDER BY p.citizen_id{conflicts}"
                    ))
                    .bind::<diesel::sql_types::Text, _>(notice)
                    .bind::<diesel::sql_types::Text, _>(agency)
                    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(chunk)
                    .execute(c)?;
                    if large {
                        diesel::sql_query("SET LOCAL enable_nestloop = on").execute(c)?;
                        diesel::sql_query("SET LOCAL work_mem = DEFAULT").execute(c)?;
                    }
                }
            }
            // SQLite has no arrays: an IN list per chunk, inside its 32766-variable limit.
            AnyConnection::Sqlite(c) => {
                for chunk in pseudonyms.chunks(30_000) {
                    let citizens = agency_pseudonyms::table
                        .filter(agency_pseudonyms::agency_id.eq(agency))
                        .filter(agency_pseudonyms::pseudonym.eq_any(chunk))
                        .select((
                            agency_pseudonyms::citizen_id,
                            diesel::dsl::sql::<diesel::sql_types::Text>("")
                                .bind::<diesel::sql_types::Text, _>(notice),
                            diesel::dsl::sql::<diesel::sql_types::Bool>("1"),
                        ));
                    added += diesel::insert_into(notice_recipients::table)
                        .values(citizens)
                        .into_columns((
                            notice_recipients::citizen_id,
                            notice_recipients::notice_id,
                            notice_recipients::listed,
                        ))
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
        }
        Ok(added)
    }

    /// The pseudonyms in `pseudonyms` that name no citizen for this agency (at most `limit` of them).
    pub fn unknown_pseudonyms(
        conn: &mut AnyConnection,
        agency: AgencyId,
        pseudonyms: &[String],
        limit: usize,
    ) -> Result<Vec<String>, StorageError> {
        let mut unknown = Vec::new();
        for chunk in pseudonyms.chunks(30_000) {
            let known: std::collections::HashSet<String> = with_conn!(conn, |c| {
                agency_pseudonyms::table
                    .filter(agency_pseudonyms::agency_id.eq(agency))
                    .filter(agency_pseudonyms::pseudonym.eq_any(chunk))
                    .select(agency_pseudonyms::pseudonym)
                    .load::<String>(c)
            })?
            .into_iter()
            .collect();
            unknown.extend(
                chunk
                    .iter()
                    .filter(|p| !known.contains(*p))
                    .take(limit - unknown.len())
                    .cloned(),
            );
            if unknown.len() >= limit {
                break;
            }
        }
        Ok(unknown)
    }

    pub fn set_recipients(
        conn: &mut AnyConnection,
        id: NoticeId,
        recipients: i64,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(notices::table.find(id))
            .set(notices::recipients.eq(Some(recipients)))
            .execute(c))?;
        Ok(())
    }

    pub fn correct(
        conn: &mut AnyConnection,
        id: NoticeId,
        correction: &Correction,
    ) -> Result<(), StorageError> {
        with_conn!(conn, |c| diesel::update(notices::table.find(id))
            .set(correction)
            .execute(c))?;
        Ok(())
    }

    /// Withdraws the notice (keeping the first time if withdrawn before), stops its fan-out and cancels its
    /// mails not yet sent. Call inside a transaction.
    pub fn withdraw(conn: &mut AnyConnection, id: NoticeId, at: i64) -> Result<(), StorageError> {
        with_conn!(conn, |c| {
            diesel::update(notices::table.find(id))
                .filter(notices::withdrawn_at.is_null())
                .set(notices::withdrawn_at.eq(Some(at)))
                .execute(c)?;
            diesel::delete(notice_fanouts::table.find(id)).execute(c)?;
            diesel::update(
                mail_outbox::table
                    .filter(mail_outbox::notice_id.eq(id))
                    .filter(mail_outbox::status.eq(crate::models::outbox::status::QUEUED)),
            )
            .set(mail_outbox::status.eq(crate::models::outbox::status::CANCELLED))
            .execute(c)
        })?;
        Ok(())
    }

    /// How many of the notice's recipients have read it.
    pub fn read_count(conn: &mut AnyConnection, id: NoticeId) -> Result<i64, StorageError> {
        let n = with_conn!(conn, |c| notice_recipients::table
            .filter(notice_recipients::notice_id.eq(id))
            .filter(notice_recipients::read_at.is_not_null())
            .count()
            .get_result::<i64>(c))?;
        Ok(n)
    }

    /// Whether a rule notice addresses a citizen living in `municipality`, born on `birth_date`.
    pub fn rule_matches(&self, municipality: &str, birth_date: &str) -> bool {
        let area = self.rule_areas.is_empty()
            || self.rule_areas.split(',').any(|code| code == municipality);
        let from = self
            .rule_born_from
            .as_deref()
            .is_none_or(|from| birth_date >= from);
        let to = self
            .rule_born_to
            .as_deref()
            .is_none_or(|to| birth_date <= to);
        self.is_rule() && area && from && to
    }
}

/// Whether the citizen is on a list notice's list.
pub fn is_listed(
    conn: &mut AnyConnection,
    notice: NoticeId,
    citizen: CitizenId,
) -> Result<bool, StorageError> {
    let found = with_conn!(conn, |c| notice_recipients::table
        .find((citizen, notice))
        .select(notice_recipients::listed)
        .first::<bool>(c)
        .optional())?;
    Ok(found == Some(true))
}
