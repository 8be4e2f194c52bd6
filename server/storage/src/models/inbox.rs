//! お知らせ as one citizen sees them: the inbox (and its archive), one notice, the unread count, and what the
//! citizen does with a notice (reads, archives, brings it back).
//!
//! The notices table holds every notice of every citizen, mostly list notices to others, so no query here
//! reads it whole. Each one is the union of two index-driven halves:
//! - list notices, reached from `notice_recipients` by the citizen's id (the primary key starts with it), then
//!   the notice by its primary key;
//! - notices stored once, which are few (each reaches many), read through the partial index
//!   `notices_shared`: rule notices matched against the citizen's municipality and birth date, large lists
//!   whose chunk in the citizen's bucket holds the citizen's id; the citizen's own row (read, archived)
//!   joined on the primary key.

use diesel::prelude::*;
use diesel::query_dsl::positional_order_dsl::{OrderColumn, PositionalOrderDsl};
use diesel::sql_types::{Bool, Text};

use crate::ids::{CitizenId, NoticeId};
use crate::models::notice::{AUDIENCE_RULE, Notice, list_bucket, member_pattern};
use crate::schema::{agencies, citizens, notice_list_chunks, notice_recipients, notices};
use crate::{AnyConnection, StorageError, with_conn};

diesel::define_sql_function!(fn lower(x: Text) -> Text);

/// The condition of notices stored once (rules and large lists), written out rather than bound: PostgreSQL (with a generic plan for a
/// prepared statement) and SQLite use a partial index only when its `WHERE` appears in the query as such.
/// Unlike `dsl::sql`, which diesel never caches, this fixed text keeps the queries prepared statements:
/// planning these unions on every page view cost more than running them.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId, diesel::expression::ValidGrouping)]
struct SharedAudience;

impl Expression for SharedAudience {
    type SqlType = Bool;
}

impl<DB: diesel::backend::Backend> diesel::query_builder::QueryFragment<DB> for SharedAudience {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_sql("notices.audience IN ('rule', 'large_list')");
        Ok(())
    }
}

impl<QS> AppearsOnTable<QS> for SharedAudience {}
impl<QS> SelectableExpression<QS> for SharedAudience {}

/// Whether a rule notice (in the query) addresses a citizen in `$municipality`, born on `$birth_date`: both
/// SQL text expressions, values bound or the columns of a joined `citizens` row. The same test as
/// [`Notice::rule_matches`], in SQL both backends run. Municipality codes are six digits, so they never
/// carry a `LIKE` wildcard.
macro_rules! rule_matches {
    ($municipality:expr, $birth_date:expr) => {
        notices::rule_areas
            .eq("")
            .or(","
                .into_sql::<Text>()
                .concat(notices::rule_areas)
                .concat(",")
                .like("%,".into_sql::<Text>().concat($municipality).concat(",%")))
            .and(
                notices::rule_born_from
                    .is_null()
                    .or(notices::rule_born_from.le($birth_date.nullable())),
            )
            .and(
                notices::rule_born_to
                    .is_null()
                    .or(notices::rule_born_to.ge($birth_date.nullable())),
            )
    };
}

/// Whether a notice stored once (in the query, with [`SharedAudience`]) addresses the citizen whose id is
/// `$citizen` (a string), living in `$municipality`, born on `$birth_date` (as for [`rule_matches!`]): a rule
/// that matches them, or a large list that names them. The large lists are found in one subquery on the
/// citizen's bucket, which holds one chunk per large list (and addition to it).
macro_rules! shared_matches {
    ($citizen:expr, $municipality:expr, $birth_date:expr) => {{
        let citizen: &str = $citizen;
        notices::audience
            .eq(AUDIENCE_RULE)
            .and(rule_matches!($municipality, $birth_date))
            .or(notices::id.eq_any(
                notice_list_chunks::table
                    .filter(notice_list_chunks::bucket.eq(list_bucket(citizen).to_owned()))
                    .filter(notice_list_chunks::citizens.like(member_pattern(citizen)))
                    .select(notice_list_chunks::notice_id),
            ))
    }};
}

/// Still in the inbox at `$now`: not withdrawn by its agency, not past its expiry.
macro_rules! current {
    ($now:expr) => {
        notices::withdrawn_at.is_null().and(
            notices::expires_at
                .is_null()
                .or(notices::expires_at.gt($now)),
        )
    };
}

/// Who the inbox is for: the citizen, and what rule notices are matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub id: CitizenId,
    /// Six-digit local public body code of the municipality of residence.
    pub municipality_code: String,
    /// YYYY-MM-DD.
    pub birth_date: String,
}

/// Which part of the inbox: what the citizen has not put away, or what they archived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Folder {
    #[default]
    Inbox,
    Archive,
}

/// What narrows a page of the inbox. Everything set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxFilter {
    pub folder: Folder,
    pub unread_only: bool,
    /// Agency code.
    pub agency: Option<String>,
    /// [`crate::models::notice::NoticeCategory::code`].
    pub category: Option<String>,
    /// Each must appear in the title or the body (a substring; ASCII letters match either case).
    pub words: Vec<String>,
}

/// A notice in the citizen's inbox, with its agency and what the citizen has done with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub notice: Notice,
    pub agency_code: String,
    pub agency_name_ja: String,
    pub agency_name_en: String,
    pub read_at: Option<i64>,
    pub archived_at: Option<i64>,
}

/// One page of the inbox, and how many notices the filter matches altogether.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxPage {
    pub total: i64,
    pub items: Vec<InboxItem>,
}

/// An agency that has sent the citizen notices: (code, Japanese name, English name).
pub type Sender = (String, String, String);

/// `word` as a `LIKE` pattern matching it anywhere, its own `%`, `_` and `\` taken literally (`ESCAPE '\'`).
fn contains_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

type Row = (
    i64,
    NoticeId,
    Notice,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
);

fn item((_, _, notice, agency_code, ja, en, read_at, archived_at): Row) -> InboxItem {
    InboxItem {
        notice,
        agency_code,
        agency_name_ja: ja,
        agency_name_en: en,
        read_at,
        archived_at,
    }
}

/// `$query` (boxed, with notices, agencies and the citizen's recipient row in scope) narrowed by `$filter`.
macro_rules! narrow {
    ($query:expr, $filter:expr) => {{
        let filter: &InboxFilter = $filter;
        let mut query = $query;
        query = match filter.folder {
            Folder::Inbox => query.filter(notice_recipients::archived_at.is_null()),
            Folder::Archive => query.filter(notice_recipients::archived_at.is_not_null()),
        };
        if filter.unread_only {
            query = query.filter(notice_recipients::read_at.is_null());
        }
        if let Some(code) = &filter.agency {
            query = query.filter(agencies::code.eq(code.clone()));
        }
        if let Some(category) = &filter.category {
            query = query.filter(notices::category.eq(category.clone()));
        }
        for word in &filter.words {
            let pattern = contains_pattern(word);
            query = query.filter(
                lower(notices::title)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(notices::body).like(lower(pattern)).escape('\\')),
            );
        }
        query
    }};
}

/// The list half of the inbox as a boxed query, with `$filter` and visibility at `$now` applied. Expands
/// inside `with_conn!`, so each backend gets its own.
macro_rules! list_half {
    ($addressee:expr, $filter:expr, $now:expr) => {{
        let addressee: &Addressee = $addressee;
        let query = notice_recipients::table
            .inner_join(notices::table.inner_join(agencies::table))
            .filter(notice_recipients::citizen_id.eq(addressee.id))
            .filter(notice_recipients::listed.eq(true))
            .filter(current!($now))
            .into_boxed();
        narrow!(query, $filter)
    }};
}

/// The half of the inbox stored once, like [`list_half!`]: the citizen's own row (read, archived) joined
/// when there is one.
macro_rules! shared_half {
    ($addressee:expr, $filter:expr, $now:expr) => {{
        let addressee: &Addressee = $addressee;
        let citizen = addressee.id.to_string();
        let query = notices::table
            .inner_join(agencies::table)
            .left_join(
                notice_recipients::table.on(notice_recipients::notice_id
                    .eq(notices::id)
                    .and(notice_recipients::citizen_id.eq(addressee.id))),
            )
            .filter(SharedAudience)
            .filter(shared_matches!(
                &citizen,
                addressee.municipality_code.clone().into_sql::<Text>(),
                addressee.birth_date.clone().into_sql::<Text>()
            ))
            .filter(current!($now))
            .into_boxed();
        narrow!(query, $filter)
    }};
}

/// Columns of a page row: the two to sort by first (the union is ordered by position), then the notice,
/// its agency, and the citizen's read and archived times.
macro_rules! page_columns {
    () => {
        (
            notices::posted_at,
            notices::id,
            Notice::as_select(),
            agencies::code,
            agencies::name_ja,
            agencies::name_en,
            notice_recipients::read_at.nullable(),
            notice_recipients::archived_at.nullable(),
        )
    };
}

/// One notice as the citizen sees it, with the state of their own row; `listed` says whether they are on its
/// list.
type Found = (
    Notice,
    String,
    String,
    String,
    Option<bool>,
    Option<i64>,
    Option<i64>,
);

impl Addressee {
    /// The citizen as the inbox needs them; `None` when there is no such citizen.
    pub fn load(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Option<Addressee>, StorageError> {
        let found = with_conn!(conn, |c| citizens::table
            .find(citizen)
            .select((citizens::municipality_code, citizens::birth_date))
            .first::<(String, String)>(c)
            .optional())?;
        Ok(found.map(|(municipality_code, birth_date)| Addressee {
            id: citizen,
            municipality_code,
            birth_date,
        }))
    }
}

/// A page of the citizen's notices matching `filter` at `now`, newest first, and how many match altogether.
/// Three queries on the indexes above: the page (a `UNION ALL` of the halves) and a count of each half.
pub fn page(
    conn: &mut AnyConnection,
    addressee: &Addressee,
    filter: &InboxFilter,
    now: i64,
    limit: i64,
    offset: i64,
) -> Result<InboxPage, StorageError> {
    let rows = with_conn!(conn, |c| {
        list_half!(addressee, filter, now)
            .select(page_columns!())
            .union_all(shared_half!(addressee, filter, now).select(page_columns!()))
            .positional_order_by((OrderColumn(1).desc(), OrderColumn(2).desc()))
            .limit(limit)
            .offset(offset)
            .load::<Row>(c)
    })?;
    let listed = with_conn!(conn, |c| {
        list_half!(addressee, filter, now)
            .count()
            .get_result::<i64>(c)
    })?;
    let shared = with_conn!(conn, |c| {
        shared_half!(addressee, filter, now)
            .count()
            .get_result::<i64>(c)
    })?;
    Ok(InboxPage {
        total: listed + shared,
        items: rows.into_iter().map(item).collect(),
    })
}

/// The agencies that have sent the citizen notices still in `folder` at `now`, by code: for the filter's
/// list.
pub fn senders(
    conn: &mut AnyConnection,
    addressee: &Addressee,
    folder: Folder,
    now: i64,
) -> Result<Vec<Sender>, StorageError> {
    let filter = InboxFilter {
        folder,
        ..InboxFilter::default()
    };
    let mut rows = with_conn!(conn, |c| {
        let columns = (agencies::code, agencies::name_ja, agencies::name_en);
        list_half!(addressee, &filter, now)
            .select(columns)
            .union(shared_half!(addressee, &filter, now).select(columns))
            .load::<Sender>(c)
    })?;
    rows.sort();
    Ok(rows)
}

/// How many notices in the citizen's inbox (not archived) they have not opened, at `now`. One query, for the
/// header (which keeps the answer in the session for up to a minute): the citizen's list rows through the
/// primary key, plus the notices stored once that address the citizen (their row joined by its primary key).
pub fn unread_count(
    conn: &mut AnyConnection,
    citizen: CitizenId,
    now: i64,
) -> Result<i64, StorageError> {
    let id = citizen.to_string();
    let (listed, shared) = with_conn!(conn, |c| {
        let listed = notice_recipients::table
            .inner_join(notices::table)
            .filter(notice_recipients::citizen_id.eq(citizen))
            .filter(notice_recipients::read_at.is_null())
            .filter(notice_recipients::archived_at.is_null())
            .filter(notice_recipients::listed.eq(true))
            .filter(current!(now))
            .count();
        let shared = notices::table
            .inner_join(citizens::table.on(citizens::id.eq(citizen)))
            .left_join(
                notice_recipients::table.on(notice_recipients::notice_id
                    .eq(notices::id)
                    .and(notice_recipients::citizen_id.eq(citizen))),
            )
            .filter(SharedAudience)
            .filter(shared_matches!(
                &id,
                citizens::municipality_code,
                citizens::birth_date
            ))
            .filter(current!(now))
            .filter(notice_recipients::read_at.is_null())
            .filter(notice_recipients::archived_at.is_null())
            .count();
        diesel::select((listed.single_value(), shared.single_value()))
            .get_result::<(Option<i64>, Option<i64>)>(c)
    })?;
    Ok(listed.unwrap_or(0) + shared.unwrap_or(0))
}

/// The notice `id` if it addresses the citizen (they are on its list, or its rule matches them), whether or
/// not it is still shown (withdrawn or expired): the caller says why it is gone. `None` for a notice that is
/// not theirs, as for one that does not exist.
pub fn open(
    conn: &mut AnyConnection,
    addressee: &Addressee,
    id: NoticeId,
) -> Result<Option<InboxItem>, StorageError> {
    let found = with_conn!(conn, |c| notices::table
        .inner_join(agencies::table)
        .left_join(
            notice_recipients::table.on(notice_recipients::notice_id
                .eq(notices::id)
                .and(notice_recipients::citizen_id.eq(addressee.id))),
        )
        .filter(notices::id.eq(id))
        .select((
            Notice::as_select(),
            agencies::code,
            agencies::name_ja,
            agencies::name_en,
            notice_recipients::listed.nullable(),
            notice_recipients::read_at.nullable(),
            notice_recipients::archived_at.nullable(),
        ))
        .first::<Found>(c)
        .optional())?;
    let Some((notice, agency_code, ja, en, listed, read_at, archived_at)) = found else {
        return Ok(None);
    };
    let addressed = if notice.is_rule() {
        notice.rule_matches(&addressee.municipality_code, &addressee.birth_date)
    } else if notice.is_large_list() {
        Notice::names_on_large_list(conn, notice.id, addressee.id)?
    } else {
        listed == Some(true)
    };
    Ok(addressed.then_some(InboxItem {
        notice,
        agency_code,
        agency_name_ja: ja,
        agency_name_en: en,
        read_at,
        archived_at,
    }))
}

/// The citizen's row for a notice, as first written when they act on a notice stored once (a short list's
/// citizens have one from the start).
#[derive(Insertable)]
#[diesel(table_name = notice_recipients, treat_none_as_default_value = false)]
struct NewState {
    citizen_id: CitizenId,
    notice_id: NoticeId,
    listed: bool,
    read_at: Option<i64>,
    archived_at: Option<i64>,
    read_by: Option<CitizenId>,
}

/// Puts the citizen on a list notice's list (once: adding them again changes nothing). For demo data and
/// tests; agencies add their lists in bulk through [`Notice::add_listed`].
pub fn add_to_list(
    conn: &mut AnyConnection,
    notice: NoticeId,
    citizen: CitizenId,
) -> Result<(), StorageError> {
    let row = NewState {
        citizen_id: citizen,
        notice_id: notice,
        listed: true,
        read_at: None,
        archived_at: None,
        read_by: None,
    };
    with_conn!(conn, |c| diesel::insert_into(notice_recipients::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// Records that the citizen opened the notice at `at` (or their proxy `read_by`, acting for them); a later
/// opening keeps the first time and reader. The caller has checked that the notice addresses them ([`open`]).
pub fn mark_read(
    conn: &mut AnyConnection,
    citizen: CitizenId,
    notice: NoticeId,
    at: i64,
    read_by: Option<CitizenId>,
) -> Result<(), StorageError> {
    let row = NewState {
        citizen_id: citizen,
        notice_id: notice,
        listed: false,
        read_at: Some(at),
        archived_at: None,
        read_by,
    };
    // `ON CONFLICT … DO UPDATE … WHERE`: the update applies only while the time is still unset.
    with_conn!(conn, |c| diesel::query_dsl::methods::FilterDsl::filter(
        diesel::insert_into(notice_recipients::table)
            .values(&row)
            .on_conflict((notice_recipients::citizen_id, notice_recipients::notice_id))
            .do_update()
            .set((
                notice_recipients::read_at.eq(Some(at)),
                notice_recipients::read_by.eq(read_by),
            )),
        notice_recipients::read_at.is_null()
    )
    .execute(c))?;
    Ok(())
}

/// Moves the notice to the citizen's archive (from `at`; archiving again keeps the first time). The caller
/// has checked that the notice addresses them.
pub fn archive(
    conn: &mut AnyConnection,
    citizen: CitizenId,
    notice: NoticeId,
    at: i64,
) -> Result<(), StorageError> {
    let row = NewState {
        citizen_id: citizen,
        notice_id: notice,
        listed: false,
        read_at: None,
        archived_at: Some(at),
        read_by: None,
    };
    // `ON CONFLICT … DO UPDATE … WHERE`: the update applies only while the time is still unset.
    with_conn!(conn, |c| diesel::query_dsl::methods::FilterDsl::filter(
        diesel::insert_into(notice_recipients::table)
            .values(&row)
            .on_conflict((notice_recipients::citizen_id, notice_recipients::notice_id))
            .do_update()
            .set(notice_recipients::archived_at.eq(Some(at))),
        notice_recipients::archived_at.is_null()
    )
    .execute(c))?;
    Ok(())
}

/// Brings the notice back from the citizen's archive to the inbox.
pub fn unarchive(
    conn: &mut AnyConnection,
    citizen: CitizenId,
    notice: NoticeId,
) -> Result<(), StorageError> {
    with_conn!(conn, |c| diesel::update(
        notice_recipients::table.find((citizen, notice))
    )
    .set(notice_recipients::archived_at.eq(None::<i64>))
    .execute(c))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("50%"), "%50\\%%");
        assert_eq!(contains_pattern("a_b\\c"), "%a\\_b\\\\c%");
        assert_eq!(contains_pattern("給付金"), "%給付金%");
    }
}
