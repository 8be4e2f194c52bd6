use std::collections::HashSet;

use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::ids::{AgencyId, CitizenId, RecordId};
use crate::schema::{agencies, records};
use crate::{AnyConnection, StorageError, with_conn};

/// One record of わたしの情報.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = records, treat_none_as_default_value = false)]
pub struct Record {
    pub id: RecordId,
    pub citizen_id: CitizenId,
    pub agency_id: AgencyId,
    /// [`crate::models::category::Category::code`].
    pub category: String,
    /// The publishing agency's own id for the record.
    pub external_id: String,
    /// JSON object of the category's fields, all values strings.
    pub data: String,
    /// When the agency last updated the record, YYYY-MM-DD.
    pub updated_on: String,
    pub published_at: i64,
}

/// A record as a citizen sees it: with the name of the agency it came from.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct SourcedRecord {
    pub record: Record,
    pub agency_code: String,
    pub agency_name_ja: String,
    pub agency_name_en: String,
}

/// How many records a citizen has in a category, and the newest update among them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCount {
    pub category: String,
    pub count: i64,
    pub last_updated: Option<String>,
}

/// One page of a category, with the category's count and newest update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPage {
    pub total: i64,
    pub last_updated: Option<String>,
    pub records: Vec<SourcedRecord>,
}

/// What a batch publish did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upserted {
    pub created: usize,
    pub updated: usize,
}

impl Record {
    /// Whether the table has no row at all (the seeding command loads an empty one faster).
    pub fn none_stored(conn: &mut AnyConnection) -> Result<bool, StorageError> {
        let any = with_conn!(conn, |c| records::table
            .select(records::id)
            .first::<String>(c)
            .optional())?;
        Ok(any.is_none())
    }

    /// Inserts the records, or updates those whose (agency, external id) is already stored: a resend never
    /// duplicates. In one transaction; the rows must be of one agency.
    pub fn upsert_batch(
        conn: &mut AnyConnection,
        agency: AgencyId,
        rows: &[Record],
    ) -> Result<Upserted, StorageError> {
        if rows.is_empty() {
            return Ok(Upserted::default());
        }
        let ids: Vec<&str> = rows.iter().map(|r| r.external_id.as_str()).collect();
        with_conn!(conn, |c| c.transaction(|c| {
            let existing: HashSet<String> = records::table
                .filter(records::agency_id.eq(agency))
                .filter(records::external_id.eq_any(&ids))
                .select(records::external_id)
                .load::<String>(c)?
                .into_iter()
                .collect();
            for row in rows {
                diesel::insert_into(records::table)
                    .values(row)
                    .on_conflict((records::agency_id, records::external_id))
                    .do_update()
                    .set((
                        records::citizen_id.eq(excluded(records::citizen_id)),
                        records::category.eq(excluded(records::category)),
                        records::data.eq(excluded(records::data)),
                        records::updated_on.eq(excluded(records::updated_on)),
                        records::published_at.eq(excluded(records::published_at)),
                    ))
                    .execute(c)?;
            }
            let distinct: HashSet<&str> = ids.iter().copied().collect();
            let updated = distinct.iter().filter(|id| existing.contains(**id)).count();
            Ok::<_, diesel::result::Error>(Upserted {
                created: distinct.len() - updated,
                updated,
            })
        }))
        .map_err(StorageError::from)
    }

    /// Plain inserts for bulk loading (the demo seeder): no conflict handling, many rows per statement.
    pub fn insert_bulk(conn: &mut AnyConnection, rows: &[Record]) -> Result<(), StorageError> {
        crate::insert_bulk!(conn, records::table, rows, 8)?;
        Ok(())
    }

    /// Per category: the citizen's record count and newest update. One grouped query on the citizen's index.
    pub fn counts(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Vec<CategoryCount>, StorageError> {
        let rows = with_conn!(conn, |c| records::table
            .filter(records::citizen_id.eq(citizen))
            .group_by(records::category)
            .select((
                records::category,
                diesel::dsl::count_star(),
                diesel::dsl::max(records::updated_on),
            ))
            .load::<(String, i64, Option<String>)>(c))?;
        Ok(rows
            .into_iter()
            .map(|(category, count, last_updated)| CategoryCount {
                category,
                count,
                last_updated,
            })
            .collect())
    }

    /// One page of a citizen's records in a category, newest update first, with their source.
    pub fn page(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        category: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SourcedRecord>, StorageError> {
        let rows = with_conn!(conn, |c| records::table
            .inner_join(agencies::table)
            .filter(records::citizen_id.eq(citizen))
            .filter(records::category.eq(category))
            .order((records::updated_on.desc(), records::id.desc()))
            .limit(limit)
            .offset(offset)
            .select((
                Record::as_select(),
                agencies::code,
                agencies::name_ja,
                agencies::name_en,
            ))
            .load::<(Record, String, String, String)>(c))?;
        Ok(rows.into_iter().map(sourced).collect())
    }

    /// One page of a citizen's records in a category with the category's count and newest update, in one
    /// round trip: the two figures are subqueries on the same index, evaluated once. An empty page past the
    /// last cannot tell the count, so it says zero; callers treat it as "no such page".
    pub fn category_page(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        category: &str,
        limit: i64,
        offset: i64,
    ) -> Result<RecordPage, StorageError> {
        diesel::alias!(records as same: SameCategory);
        let total = same
            .filter(same.field(records::citizen_id).eq(citizen))
            .filter(same.field(records::category).eq(category))
            .count()
            .single_value();
        let newest = same
            .filter(same.field(records::citizen_id).eq(citizen))
            .filter(same.field(records::category).eq(category))
            .select(diesel::dsl::max(same.field(records::updated_on)))
            .single_value();
        let rows = with_conn!(conn, |c| records::table
            .inner_join(agencies::table)
            .filter(records::citizen_id.eq(citizen))
            .filter(records::category.eq(category))
            .order((records::updated_on.desc(), records::id.desc()))
            .limit(limit)
            .offset(offset)
            .select((
                Record::as_select(),
                agencies::code,
                agencies::name_ja,
                agencies::name_en,
                total,
                newest,
            ))
            .load::<(Record, String, String, String, Option<i64>, Option<String>)>(c))?;
        let (total, last_updated) = rows
            .first()
            .map_or((0, None), |row| (row.4.unwrap_or(0), row.5.clone()));
        Ok(RecordPage {
            total,
            last_updated,
            records: rows
                .into_iter()
                .map(|(record, code, ja, en, _, _)| sourced((record, code, ja, en)))
                .collect(),
        })
    }

    /// A page of a citizen's records in a category for an API read, newest update first, with keyset
    /// paging: `after` is the (updated_on, id) of the last record of the previous page. `from` and `to` bound
    /// `updated_on` (YYYY-MM-DD, inclusive). The count of all matching records (without the cursor) rides in
    /// the same query, on the `records_citizen_category` index, so the page is one round trip.
    #[allow(clippy::too_many_arguments)]
    pub fn keyset_page(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        category: &str,
        from: Option<&str>,
        to: Option<&str>,
        after: Option<(&str, RecordId)>,
        limit: i64,
    ) -> Result<(i64, Vec<SourcedRecord>), StorageError> {
        // Bounds that always hold stand in for absent ones, so the query keeps one static shape.
        let from = from.unwrap_or("");
        let to = to.unwrap_or("~");
        let (after_on, after_id) = match after {
            Some((on, id)) => (on.to_owned(), id.to_string()),
            None => ("~".to_owned(), String::new()),
        };
        diesel::alias!(records as same: SameRange);
        let total = same
            .filter(same.field(records::citizen_id).eq(citizen))
            .filter(same.field(records::category).eq(category))
            .filter(same.field(records::updated_on).ge(from))
            .filter(same.field(records::updated_on).le(to))
            .count()
            .single_value();
        let rows = with_conn!(conn, |c| records::table
            .inner_join(agencies::table)
            .filter(records::citizen_id.eq(citizen))
            .filter(records::category.eq(category))
            .filter(records::updated_on.ge(from))
            .filter(records::updated_on.le(to))
            .filter(
                records::updated_on.lt(&after_on).or(records::updated_on
                    .eq(&after_on)
                    .and(records::id.lt(&after_id))),
            )
            .order((records::updated_on.desc(), records::id.desc()))
            .limit(limit)
            .select((
                Record::as_select(),
                agencies::code,
                agencies::name_ja,
                agencies::name_en,
                total,
            ))
            .load::<(Record, String, String, String, Option<i64>)>(c))?;
        let total = match rows.first() {
            Some(row) => row.4.unwrap_or(0),
            // No row carries the count: none match at all, or the cursor is past the last.
            None if after.is_none() => 0,
            None => with_conn!(conn, |c| records::table
                .filter(records::citizen_id.eq(citizen))
                .filter(records::category.eq(category))
                .filter(records::updated_on.ge(from))
                .filter(records::updated_on.le(to))
                .count()
                .get_result::<i64>(c))?,
        };
        Ok((
            total,
            rows.into_iter()
                .map(|(record, code, ja, en, _)| sourced((record, code, ja, en)))
                .collect(),
        ))
    }

    /// A citizen's records in the given categories, for an agency's read: one query.
    pub fn for_categories(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        categories: &[&str],
        limit: i64,
    ) -> Result<Vec<SourcedRecord>, StorageError> {
        let rows = with_conn!(conn, |c| records::table
            .inner_join(agencies::table)
            .filter(records::citizen_id.eq(citizen))
            .filter(records::category.eq_any(categories))
            .order((
                records::category.asc(),
                records::updated_on.desc(),
                records::id.desc(),
            ))
            .limit(limit)
            .select((
                Record::as_select(),
                agencies::code,
                agencies::name_ja,
                agencies::name_en,
            ))
            .load::<(Record, String, String, String)>(c))?;
        Ok(rows.into_iter().map(sourced).collect())
    }

    /// The records of many citizens in the given categories (one query): a batch's eligibility check.
    pub fn of_citizens(
        conn: &mut AnyConnection,
        citizens: &[CitizenId],
        categories: &[&str],
    ) -> Result<Vec<SourcedRecord>, StorageError> {
        let rows = with_conn!(conn, |c| records::table
            .inner_join(agencies::table)
            .filter(records::citizen_id.eq_any(citizens))
            .filter(records::category.eq_any(categories))
            .order((
                records::citizen_id.asc(),
                records::category.asc(),
                records::updated_on.desc(),
                records::id.desc(),
            ))
            .select((
                Record::as_select(),
                agencies::code,
                agencies::name_ja,
                agencies::name_en,
            ))
            .load::<(Record, String, String, String)>(c))?;
        Ok(rows.into_iter().map(sourced).collect())
    }
}

fn sourced(
    (record, agency_code, agency_name_ja, agency_name_en): (Record, String, String, String),
) -> SourcedRecord {
    SourcedRecord {
        record,
        agency_code,
        agency_name_ja,
        agency_name_en,
    }
}
