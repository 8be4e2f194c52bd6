//! お知らせ as stored: one row per notice whoever it reaches. A short explicit list is a set of
//! `notice_recipients` rows inserted in bulk; a large one is stored once, in `notice_list_chunks`; a rule is
//! matched against the citizen when they open the inbox.

use diesel::prelude::*;

use crate::ids::{AgencyId, CitizenId, NoticeId};
use crate::schema::{
    agency_pseudonyms, mail_outbox, notice_fanouts, notice_list_chunks, notice_recipients, notices,
};
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

/// Named citizens, one `notice_recipients` row each.
pub const AUDIENCE_LIST: &str = "list";
/// Named citizens, as many as [`LARGE_LIST_FROM`] or more when posted: their ids in `notice_list_chunks`.
pub const AUDIENCE_LARGE_LIST: &str = "large_list";
pub const AUDIENCE_RULE: &str = "rule";

/// From this many names a list is stored once, in chunks, instead of one row per citizen. A row per citizen
/// lands in a citizen-first index, one entry on every page of it for a list of everyone: that, not the
/// lookup of the names, is what bounds how fast such a list is stored. Chunks are few, and the inbox reads
/// those of the citizen's bucket, one per large list, as it reads the few broadcasts.
pub const LARGE_LIST_FROM: usize = 10_000;

/// How a list of `names` citizens is stored.
pub fn list_audience(names: usize) -> &'static str {
    if names >= LARGE_LIST_FROM {
        AUDIENCE_LARGE_LIST
    } else {
        AUDIENCE_LIST
    }
}

/// The chunk bucket of a citizen id: its last three hex digits, which are random bits of a UUIDv7, so
/// buckets fill evenly. `substr(citizen_id, 34, 3)` in SQL.
pub fn list_bucket(citizen: &str) -> &str {
    citizen
        .get(citizen.len().saturating_sub(3)..)
        .unwrap_or(citizen)
}

/// A `LIKE` pattern that finds the citizen id in a chunk's comma-separated ids. Ids are fixed-length hex and
/// dashes, so the pattern has no wildcards of its own and cannot match across a comma.
pub fn member_pattern(citizen: &str) -> String {
    format!("%{citizen}%")
}

/// A chunk of a large list, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = notice_list_chunks, treat_none_as_default_value = false)]
struct Chunk {
    bucket: String,
    notice_id: NoticeId,
    part: i32,
    size: i32,
    citizens: String,
}

#[derive(QueryableByName)]
struct Resolved {
    #[diesel(sql_type = diesel::sql_types::Text)]
    citizen_id: String,
}

/// The citizens the agency's pseudonyms `names` (each once) name, in no order; unknown names add nothing.
fn resolve(
    conn: &mut AnyConnection,
    agency: AgencyId,
    names: &[&str],
) -> Result<Vec<String>, StorageError> {
    let mut found = Vec::with_capacity(names.len());
    match conn {
        AnyConnection::Postgres(c) => {
            for chunk in names.chunks(LIST_CHUNK) {
                let rows = with_hash_join(c, chunk.len(), |c| {
                    diesel::sql_query(
                        "SELECT p.citizen_id FROM unnest($2::text[]) AS u (pseudonym) \
                         JOIN agency_pseudonyms p ON p.agency_id = $1 AND p.pseudonym = u.pseudonym",
                    )
                    .bind::<diesel::sql_types::Text, _>(agency)
                    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(chunk)
                    .load::<Resolved>(c)
                })?;
                found.extend(rows.into_iter().map(|r| r.citizen_id));
            }
        }
        // SQLite has no arrays: an IN list per chunk, inside its 32766-variable limit.
        AnyConnection::Sqlite(c) => {
            for chunk in names.chunks(30_000) {
                found.extend(
                    agency_pseudonyms::table
                        .filter(agency_pseudonyms::agency_id.eq(agency))
                        .filter(agency_pseudonyms::pseudonym.eq_any(chunk))
                        .select(agency_pseudonyms::citizen_id)
                        .load::<String>(c)?,
                );
            }
        }
    }
    Ok(found)
}

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
/// From this many names on, a list is resolved with a hash join (see [`with_hash_join`]).
const HASH_JOIN_FROM: usize = 50_000;

/// PostgreSQL: the citizens named by the array `$3` of the agency `$2`'s pseudonyms, as `p`, each once.
const NAMED: &str = "(SELECT DISTINCT pseudonym FROM unnest($3::text[]) AS u (pseudonym)) AS named \
     JOIN agency_pseudonyms p ON p.agency_id = $2 AND p.pseudonym = named.pseudonym";

/// Runs `query`, which resolves `names` pseudonyms, with a hash join when they are many. The planner cannot
/// see an array parameter's length and guesses ten names: for a large list, a hash join over the agency's
/// pseudonyms beats a million index probes (5x here). Call inside a transaction (`SET LOCAL`).
fn with_hash_join<T>(
    c: &mut diesel::PgConnection,
    names: usize,
    query: impl FnOnce(&mut diesel::PgConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    let large = names >= HASH_JOIN_FROM;
    if large {
        diesel::sql_query("SET LOCAL enable_nestloop = off").execute(c)?;
        diesel::sql_query("SET LOCAL work_mem = '256MB'").execute(c)?;
    }
    let answer = query(c)?;
    if large {
        diesel::sql_query("SET LOCAL enable_nestloop = on").execute(c)?;
        diesel::sql_query("SET LOCAL work_mem = DEFAULT").execute(c)?;
    }
    Ok(answer)
}

impl Notice {
    pub fn is_rule(&self) -> bool {
        self.audience == AUDIENCE_RULE
    }

    pub fn is_large_list(&self) -> bool {
        self.audience == AUDIENCE_LARGE_LIST
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
        crate::insert_bulk!(conn, notices::table, rows, 19)?;
        Ok(())
    }

    /// List memberships at once, for bulk loading; the pairs must be new.
    pub fn list_bulk(conn: &mut AnyConnection, rows: &[Listed]) -> Result<(), StorageError> {
        crate::insert_bulk!(conn, notice_recipients::table, rows, 5)?;
        Ok(())
    }

    /// A page of the agency's notices, newest first (index `notices_agency`).
    pub fn of_agency(
        conn: &mut AnyConnection,
        agency: AgencyId,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Notice>, StorageError> {
        let rows = with_conn!(conn, |c| notices::table
            .filter(notices::agency_id.eq(agency))
            .order((notices::posted_at.desc(), notices::id.desc()))
            .limit(limit)
            .offset(offset)
            .select(Notice::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// The agency's own notice; another agency's id answers `None`, as if it did not exist.
    pub fn find_for_agency(
        conn: &mut AnyConnection,
        id: NoticeId,
        agency: AgencyId,
    ) -> Result<Option<Notice>, StorageError> {
        Ok(Self::find(conn, id)?.filter(|n| n.agency_id == agency))
    }

    /// Adds the citizens an agency named by its pseudonyms to a list notice, skipping any already listed, and
    /// returns how many were added; pseudonyms the agency does not know add nothing (the caller finds those
    /// with [`Notice::unknown_pseudonyms`]). A list is stored as its audience says: a row per citizen, or
    /// chunks for a large list. `fresh`: the notice was inserted in this transaction, so none of its
    /// citizens is listed yet and a name given twice is the only possible repeat.
    pub fn add_listed(
        conn: &mut AnyConnection,
        notice: &Notice,
        pseudonyms: &[String],
        fresh: bool,
    ) -> Result<usize, StorageError> {
        if notice.is_large_list() {
            Self::add_chunks(conn, notice.id, notice.agency_id, pseudonyms, fresh)
        } else {
            Self::add_rows(conn, notice.id, notice.agency_id, pseudonyms, fresh)
        }
    }

    /// A row per named citizen, in one `INSERT … SELECT` per chunk of names joining the pseudonym table.
    fn add_rows(
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
                    // A fresh notice's first chunk cannot meet an existing row: duplicates are dropped by
                    // DISTINCT, which costs far less than checking each row for a conflict.
                    let conflicts = if fresh && i == 0 {
                        ""
                    } else {
                        " ON CONFLICT DO NOTHING"
                    };
                    added += with_hash_join(c, chunk.len(), |c| {
                        diesel::sql_query(format!(
                            "INSERT INTO notice_recipients (citizen_id, notice_id, listed) \
                             SELECT p.citizen_id, $1, TRUE \
                             FROM {NAMED} ORDER BY p.citizen_id{conflicts}"
                        ))
                        .bind::<diesel::sql_types::Text, _>(notice)
                        .bind::<diesel::sql_types::Text, _>(agency)
                        .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(chunk)
                        .execute(c)
                    })?;
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

    /// A large list's addition: the named citizens not yet listed, grouped here by bucket into one chunk
    /// each under the notice's next part number, and stored in one bulk write (COPY on PostgreSQL). Grouping
    /// a million ids in the database (a sort, then an aggregate) took longer than sending them back.
    fn add_chunks(
        conn: &mut AnyConnection,
        notice: NoticeId,
        agency: AgencyId,
        pseudonyms: &[String],
        fresh: bool,
    ) -> Result<usize, StorageError> {
        let part = if fresh {
            0
        } else {
            with_conn!(conn, |c| notice_list_chunks::table
                .filter(notice_list_chunks::notice_id.eq(notice))
                .select(diesel::dsl::max(notice_list_chunks::part))
                .first::<Option<i32>>(c))?
            .map_or(0, |last| last + 1)
        };
        // A name given twice counts once.
        let mut seen = std::collections::HashSet::with_capacity(pseudonyms.len());
        let names: Vec<&str> = pseudonyms
            .iter()
            .map(String::as_str)
            .filter(|p| seen.insert(*p))
            .collect();
        let mut listed = std::collections::HashSet::new();
        if !fresh {
            let chunks = with_conn!(conn, |c| notice_list_chunks::table
                .filter(notice_list_chunks::notice_id.eq(notice))
                .select(notice_list_chunks::citizens)
                .load::<String>(c))?;
            for ids in &chunks {
                listed.extend(ids.split(',').map(str::to_owned));
            }
        }
        let mut buckets = std::collections::BTreeMap::<String, Vec<String>>::new();
        for id in resolve(conn, agency, &names)? {
            if !listed.contains(&id) {
                buckets
                    .entry(list_bucket(&id).to_owned())
                    .or_default()
                    .push(id);
            }
        }
        let rows: Vec<Chunk> = buckets
            .into_iter()
            .map(|(bucket, ids)| Chunk {
                bucket,
                notice_id: notice,
                part,
                size: i32::try_from(ids.len()).unwrap_or(i32::MAX),
                citizens: ids.join(","),
            })
            .collect();
        let added = rows
            .iter()
            .map(|r| usize::try_from(r.size).unwrap_or(0))
            .sum();
        crate::insert_bulk!(conn, notice_list_chunks::table, &rows, 5)?;
        Ok(added)
    }

    /// Whether the citizen is on the large list `notice`: one chunk read by its primary key's prefix.
    pub fn names_on_large_list(
        conn: &mut AnyConnection,
        notice: NoticeId,
        citizen: CitizenId,
    ) -> Result<bool, StorageError> {
        let id = citizen.to_string();
        let found = with_conn!(conn, |c| notice_list_chunks::table
            .filter(notice_list_chunks::bucket.eq(list_bucket(&id)))
            .filter(notice_list_chunks::notice_id.eq(notice))
            .filter(notice_list_chunks::citizens.like(member_pattern(&id)))
            .select(notice_list_chunks::part)
            .first::<i32>(c)
            .optional())?;
        Ok(found.is_some())
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

/// Whether the citizen is on a list notice's list, however it is stored.
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
    Ok(found == Some(true) || Notice::names_on_large_list(conn, notice, citizen)?)
}
