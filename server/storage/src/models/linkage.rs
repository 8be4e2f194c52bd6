//! やりとり履歴: the immutable record of every read of a citizen's data by anyone but the citizen.
//!
//! Each citizen's rows form a hash chain: a row's hash covers the previous row's hash and all of its own
//! fields, and `linkage_chains` keeps the head (last seq and hash) and where retention cut the chain. Altering
//! a row breaks its hash; deleting one breaks the sequence or the head; removing old rows legitimately moves
//! the cut, which the verifier accepts.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::ids::{CitizenId, LinkageId};
use crate::schema::{linkage_chains, linkage_queue, linkage_records};
use crate::{AnyConnection, StorageError, with_conn};

/// A read waiting in `linkage_queue` to join its citizen's chain.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = linkage_queue)]
struct Queued {
    id: LinkageId,
    citizen_id: CitizenId,
    at: i64,
    requester_kind: String,
    requester_id: String,
    requester_name: String,
    providers: String,
    items: String,
    task_code: String,
    purpose: String,
    result: String,
    withheld: bool,
}

impl Queued {
    fn of(id: LinkageId, new: NewLinkage) -> Queued {
        Queued {
            id,
            citizen_id: new.citizen_id,
            at: new.at,
            requester_kind: new.requester_kind,
            requester_id: new.requester_id,
            requester_name: new.requester_name,
            providers: new.providers.join(","),
            items: new.items.join(","),
            task_code: new.task_code,
            purpose: new.purpose,
            result: new.result,
            withheld: new.withheld,
        }
    }

    /// The row as it joins its chain at `seq` after the row whose hash is `prev_hash`.
    fn chained(self, seq: i64, prev_hash: String) -> LinkageRecord {
        let mut row = LinkageRecord {
            id: self.id,
            citizen_id: self.citizen_id,
            seq,
            at: self.at,
            requester_kind: self.requester_kind,
            requester_id: self.requester_id,
            requester_name: self.requester_name,
            providers: self.providers,
            items: self.items,
            task_code: self.task_code,
            purpose: self.purpose,
            result: self.result,
            withheld: self.withheld,
            prev_hash,
            hash: String::new(),
        };
        row.hash = row_hash(&row);
        row
    }
}

/// A row as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = linkage_records, treat_none_as_default_value = false)]
pub struct LinkageRecord {
    pub id: LinkageId,
    pub citizen_id: CitizenId,
    pub seq: i64,
    pub at: i64,
    /// `agency`, `app` or `proxy`.
    pub requester_kind: String,
    /// Agency code, app client id or proxy's citizen id.
    pub requester_id: String,
    pub requester_name: String,
    /// Codes of the agencies whose records were read, comma-separated.
    pub providers: String,
    /// Category codes read, comma-separated.
    pub items: String,
    /// Task (事務) code for agencies; the consented purpose for apps and proxies.
    pub task_code: String,
    pub purpose: String,
    /// `provided`, `no_data` or `refused`.
    pub result: String,
    /// Details withheld from the citizen (不開示).
    pub withheld: bool,
    pub prev_hash: String,
    pub hash: String,
}

/// What a caller records; the chain fields are filled in by [`LinkageRecord::append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLinkage {
    pub citizen_id: CitizenId,
    pub at: i64,
    pub requester_kind: String,
    pub requester_id: String,
    pub requester_name: String,
    pub providers: Vec<String>,
    pub items: Vec<String>,
    pub task_code: String,
    pub purpose: String,
    pub result: String,
    pub withheld: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = linkage_chains)]
struct Chain {
    citizen_id: CitizenId,
    last_seq: i64,
    last_hash: String,
    pruned_seq: i64,
    pruned_hash: String,
}

/// What narrows the history a citizen sees.
///
/// A withheld row (不開示) never matches a requester or category filter: it is shown without its requester
/// and items, and matching it would reveal them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkageFilter {
    /// Milliseconds, inclusive.
    pub from: Option<i64>,
    /// Milliseconds, exclusive.
    pub until: Option<i64>,
    pub requester_id: Option<String>,
    pub category: Option<String>,
}

/// The first row that does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub citizen_id: CitizenId,
    /// The row's id, when the problem is with a row that is there.
    pub row_id: Option<LinkageId>,
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row_id {
            Some(id) => write!(
                f,
                "citizen {} row {} (seq {}): {}",
                self.citizen_id, id, self.seq, self.reason
            ),
            None => write!(
                f,
                "citizen {} seq {}: {}",
                self.citizen_id, self.seq, self.reason
            ),
        }
    }
}

/// What a verification covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verified {
    pub chains: u64,
    pub rows: u64,
}

/// The hash of a row: SHA-256 over a JSON array of the previous hash and every field but `hash` itself.
pub fn row_hash(row: &LinkageRecord) -> String {
    let canonical = serde_json::json!([
        row.prev_hash,
        row.id.to_string(),
        row.citizen_id.to_string(),
        row.seq,
        row.at,
        row.requester_kind,
        row.requester_id,
        row.requester_name,
        row.providers,
        row.items,
        row.task_code,
        row.purpose,
        row.result,
        row.withheld,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

impl LinkageRecord {
    /// Whether the table has no row at all (the seeding command loads an empty one faster).
    pub fn none_stored(conn: &mut AnyConnection) -> Result<bool, StorageError> {
        let any = with_conn!(conn, |c| linkage_records::table
            .select(linkage_records::id)
            .first::<String>(c)
            .optional())?;
        Ok(any.is_none())
    }

    /// Appends a row to its citizen's chain, in one transaction. Bumping the head first takes the row lock
    /// on PostgreSQL (and the write lock on SQLite), so concurrent appends for one citizen queue up.
    pub fn append(
        conn: &mut AnyConnection,
        new: NewLinkage,
    ) -> Result<LinkageRecord, StorageError> {
        let citizen = new.citizen_id;
        let result = with_conn!(conn, |c| c.transaction(|c| {
            diesel::insert_into(linkage_chains::table)
                .values(&Chain {
                    citizen_id: citizen,
                    last_seq: 0,
                    last_hash: String::new(),
                    pruned_seq: 0,
                    pruned_hash: String::new(),
                })
                .on_conflict_do_nothing()
                .execute(c)?;
            diesel::update(linkage_chains::table.find(citizen))
                .set(linkage_chains::last_seq.eq(linkage_chains::last_seq + 1))
                .execute(c)?;
            let (seq, prev_hash) = linkage_chains::table
                .find(citizen)
                .select((linkage_chains::last_seq, linkage_chains::last_hash))
                .first::<(i64, String)>(c)?;
            let row = Queued::of(LinkageId::new(), new).chained(seq, prev_hash);
            diesel::insert_into(linkage_records::table)
                .values(&row)
                .execute(c)?;
            diesel::update(linkage_chains::table.find(citizen))
                .set(linkage_chains::last_hash.eq(&row.hash))
                .execute(c)?;
            Ok::<_, diesel::result::Error>(row)
        }))?;
        Ok(result)
    }

    /// Records reads, all or none, for [`LinkageRecord::fold_queue`] to add to their chains: one INSERT per
    /// 2,000 rows (within both backends' limits on bound values). For API reads, where a chain append per
    /// call would cost a transaction of five statements serialised on the citizen's chain head; reads
    /// arriving together share one write.
    pub fn enqueue(conn: &mut AnyConnection, new: Vec<NewLinkage>) -> Result<(), StorageError> {
        const ROWS: usize = 2_000;
        let rows: Vec<Queued> = new
            .into_iter()
            .map(|n| Queued::of(LinkageId::new(), n))
            .collect();
        let insert = |conn: &mut AnyConnection| {
            for chunk in rows.chunks(ROWS) {
                with_conn!(conn, |c| diesel::insert_into(linkage_queue::table)
                    .values(chunk)
                    .execute(c))?;
            }
            Ok(())
        };
        if rows.len() <= ROWS {
            insert(conn)
        } else {
            crate::transaction(conn, insert)
        }
    }

    /// Appends up to `limit` queued reads to their chains, oldest first, and removes them from the queue, in
    /// one transaction: a crash appends none of them, and no row is appended twice. On PostgreSQL concurrent
    /// folds take disjoint rows (`SKIP LOCKED`) and queue on each chain's head; SQLite's write lock, taken
    /// first, serialises them. Returns the number of rows appended.
    pub fn fold_queue(conn: &mut AnyConnection, limit: i64) -> Result<usize, StorageError> {
        // A plain read first: an empty queue (the usual case) takes no lock at all. On SQLite a write lock
        // taken twice a second for nothing would make other connections' read-then-write transactions fail
        // with SQLITE_BUSY whenever they met it.
        let waiting = with_conn!(conn, |c| diesel::select(diesel::dsl::exists(
            linkage_queue::table.select(linkage_queue::id)
        ))
        .get_result::<bool>(c))?;
        if !waiting {
            return Ok(0);
        }
        // The rest of the fold, the same on both backends once the rows are claimed.
        macro_rules! fold {
            ($c:ident, $queued:expr) => {{
                let queued: Vec<Queued> = $queued;
                let mut rows: Vec<LinkageRecord> = Vec::with_capacity(queued.len());
                // Heads are locked in citizen order, so two folds never wait on each other in a cycle.
                let mut by_citizen: std::collections::BTreeMap<CitizenId, Vec<Queued>> =
                    std::collections::BTreeMap::new();
                for q in queued.iter().cloned() {
                    by_citizen.entry(q.citizen_id).or_default().push(q);
                }
                for (citizen, list) in by_citizen {
                    diesel::insert_into(linkage_chains::table)
                        .values(&Chain {
                            citizen_id: citizen,
                            last_seq: 0,
                            last_hash: String::new(),
                            pruned_seq: 0,
                            pruned_hash: String::new(),
                        })
                        .on_conflict_do_nothing()
                        .execute($c)?;
                    let count = list.len() as i64;
                    diesel::update(linkage_chains::table.find(citizen))
                        .set(linkage_chains::last_seq.eq(linkage_chains::last_seq + count))
                        .execute($c)?;
                    let (last_seq, mut prev_hash) = linkage_chains::table
                        .find(citizen)
                        .select((linkage_chains::last_seq, linkage_chains::last_hash))
                        .first::<(i64, String)>($c)?;
                    let mut seq = last_seq - count;
                    for q in list {
                        seq += 1;
                        let row = q.chained(seq, prev_hash);
                        prev_hash = row.hash.clone();
                        rows.push(row);
                    }
                    diesel::update(linkage_chains::table.find(citizen))
                        .set(linkage_chains::last_hash.eq(&prev_hash))
                        .execute($c)?;
                }
                for chunk in rows.chunks(1000) {
                    diesel::insert_into(linkage_records::table)
                        .values(chunk)
                        .execute($c)?;
                }
                let ids: Vec<LinkageId> = queued.iter().map(|q| q.id).collect();
                for chunk in ids.chunks(1000) {
                    diesel::delete(linkage_queue::table.filter(linkage_queue::id.eq_any(chunk)))
                        .execute($c)?;
                }
                Ok::<usize, diesel::result::Error>(rows.len())
            }};
        }
        let folded = match conn {
            AnyConnection::Postgres(c) => c.transaction(|c| {
                fold!(
                    c,
                    linkage_queue::table
                        .order(linkage_queue::id.asc())
                        .limit(limit)
                        .for_update()
                        .skip_locked()
                        .select(Queued::as_select())
                        .load(c)?
                )
            }),
            AnyConnection::Sqlite(c) => c.immediate_transaction(|c| {
                fold!(
                    c,
                    linkage_queue::table
                        .order(linkage_queue::id.asc())
                        .limit(limit)
                        .select(Queued::as_select())
                        .load(c)?
                )
            }),
        }?;
        Ok(folded)
    }

    /// Loads whole chains written elsewhere (the demo seeder): `rows` hold, per citizen, seq 1, 2, … with
    /// their hashes already computed and no chain for that citizen yet. The heads are set from the last rows.
    pub fn insert_chains_bulk(
        conn: &mut AnyConnection,
        rows: &[LinkageRecord],
    ) -> Result<(), StorageError> {
        let mut heads: Vec<Chain> = Vec::new();
        for row in rows {
            match heads.last_mut() {
                Some(head) if head.citizen_id == row.citizen_id => {
                    head.last_seq = row.seq;
                    head.last_hash.clone_from(&row.hash);
                }
                _ => heads.push(Chain {
                    citizen_id: row.citizen_id,
                    last_seq: row.seq,
                    last_hash: row.hash.clone(),
                    pruned_seq: 0,
                    pruned_hash: String::new(),
                }),
            }
        }
        crate::insert_bulk!(conn, linkage_records::table, rows, 15)?;
        for chunk in heads.chunks(5000) {
            with_conn!(conn, |c| diesel::insert_into(linkage_chains::table)
                .values(chunk)
                .execute(c))?;
        }
        Ok(())
    }

    /// One page of a citizen's history, newest first.
    pub fn page(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        filter: &LinkageFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<LinkageRecord>, StorageError> {
        macro_rules! filtered {
            () => {{
                let mut query = linkage_records::table
                    .filter(linkage_records::citizen_id.eq(citizen))
                    .into_boxed();
                if let Some(from) = filter.from {
                    query = query.filter(linkage_records::at.ge(from));
                }
                if let Some(until) = filter.until {
                    query = query.filter(linkage_records::at.lt(until));
                }
                if filter.requester_id.is_some() || filter.category.is_some() {
                    query = query.filter(linkage_records::withheld.eq(false));
                }
                if let Some(requester) = &filter.requester_id {
                    query = query.filter(linkage_records::requester_id.eq(requester.clone()));
                }
                if let Some(category) = &filter.category {
                    query = query.filter(
                        linkage_records::items
                            .eq(category.clone())
                            .or(linkage_records::items.like(format!("{category},%")))
                            .or(linkage_records::items.like(format!("%,{category}")))
                            .or(linkage_records::items.like(format!("%,{category},%"))),
                    );
                }
                query
            }};
        }
        let rows = with_conn!(conn, |c| filtered!()
            .order((linkage_records::at.desc(), linkage_records::seq.desc()))
            .limit(limit)
            .offset(offset)
            .select(LinkageRecord::as_select())
            .load(c))?;
        Ok(rows)
    }

    /// Who has read this citizen's data: (requester id, name), for the filter. Uses the requester index.
    /// When each requester of `kind` last read the citizen's data: (requester id, milliseconds). One grouped
    /// query on the `(citizen_id, requester_id, at)` index.
    pub fn last_reads(
        conn: &mut AnyConnection,
        citizen: CitizenId,
        kind: &str,
    ) -> Result<Vec<(String, i64)>, StorageError> {
        let rows = with_conn!(conn, |c| linkage_records::table
            .filter(linkage_records::citizen_id.eq(citizen))
            .filter(linkage_records::requester_kind.eq(kind))
            .group_by(linkage_records::requester_id)
            .select((
                linkage_records::requester_id,
                diesel::dsl::max(linkage_records::at),
            ))
            .load::<(String, Option<i64>)>(c))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?)))
            .collect())
    }

    /// Requesters of withheld rows (不開示) are left out unless they also read in the open, so the list never
    /// reveals them.
    pub fn requesters(
        conn: &mut AnyConnection,
        citizen: CitizenId,
    ) -> Result<Vec<(String, String)>, StorageError> {
        let rows = with_conn!(conn, |c| linkage_records::table
            .filter(linkage_records::citizen_id.eq(citizen))
            .filter(linkage_records::withheld.eq(false))
            .select((
                linkage_records::requester_id,
                linkage_records::requester_name,
            ))
            .distinct()
            .order(linkage_records::requester_id.asc())
            .load::<(String, String)>(c))?;
        Ok(rows)
    }

    /// Removes rows older than `before` (milliseconds), moving each chain's cut so the rest still verifies.
    /// Works through `batch` chains at a time; returns the number of rows removed.
    pub fn prune(conn: &mut AnyConnection, before: i64, batch: i64) -> Result<u64, StorageError> {
        let mut removed = 0u64;
        loop {
            let citizens: Vec<CitizenId> = with_conn!(conn, |c| linkage_records::table
                .filter(linkage_records::at.lt(before))
                .select(linkage_records::citizen_id)
                .distinct()
                .limit(batch)
                .load(c))?;
            if citizens.is_empty() {
                return Ok(removed);
            }
            for citizen in citizens {
                removed += with_conn!(conn, |c| c.transaction(|c| {
                    let Some((seq, hash)) = linkage_records::table
                        .filter(linkage_records::citizen_id.eq(citizen))
                        .filter(linkage_records::at.lt(before))
                        .order(linkage_records::seq.desc())
                        .select((linkage_records::seq, linkage_records::hash))
                        .first::<(i64, String)>(c)
                        .optional()?
                    else {
                        return Ok::<u64, diesel::result::Error>(0);
                    };
                    let gone = diesel::delete(
                        linkage_records::table
                            .filter(linkage_records::citizen_id.eq(citizen))
                            .filter(linkage_records::seq.le(seq)),
                    )
                    .execute(c)?;
                    diesel::update(linkage_chains::table.find(citizen))
                        .set((
                            linkage_chains::pruned_seq.eq(seq),
                            linkage_chains::pruned_hash.eq(hash),
                        ))
                        .execute(c)?;
                    Ok(gone as u64)
                }))?;
            }
        }
    }

    /// Verifies every chain; the first broken row, if any. Reads `batch` chains and their rows per query.
    pub fn verify_all(
        conn: &mut AnyConnection,
        batch: i64,
    ) -> Result<Result<Verified, BrokenLink>, StorageError> {
        let mut verified = Verified::default();
        // Rows whose chain head is gone cannot be checked against it: that is itself a break.
        let orphan: Option<LinkageRecord> = with_conn!(conn, |c| linkage_records::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                linkage_chains::table
                    .filter(linkage_chains::citizen_id.eq(linkage_records::citizen_id)),
            )))
            .order((
                linkage_records::citizen_id.asc(),
                linkage_records::seq.asc()
            ))
            .select(LinkageRecord::as_select())
            .first(c)
            .optional())?;
        if let Some(row) = orphan {
            return Ok(Err(BrokenLink {
                citizen_id: row.citizen_id,
                row_id: Some(row.id),
                seq: row.seq,
                reason: "the chain's head is missing".to_owned(),
            }));
        }
        let mut after: Option<CitizenId> = None;
        loop {
            let chains: Vec<Chain> = with_conn!(conn, |c| {
                let mut query = linkage_chains::table
                    .order(linkage_chains::citizen_id.asc())
                    .limit(batch)
                    .select(Chain::as_select())
                    .into_boxed();
                if let Some(after) = after {
                    query = query.filter(linkage_chains::citizen_id.gt(after));
                }
                query.load(c)
            })?;
            let Some(last) = chains.last() else {
                return Ok(Ok(verified));
            };
            let (first_id, last_id) = (chains[0].citizen_id, last.citizen_id);
            after = Some(last_id);
            let rows: Vec<LinkageRecord> = with_conn!(conn, |c| linkage_records::table
                .filter(linkage_records::citizen_id.ge(first_id))
                .filter(linkage_records::citizen_id.le(last_id))
                .order((
                    linkage_records::citizen_id.asc(),
                    linkage_records::seq.asc()
                ))
                .select(LinkageRecord::as_select())
                .load(c))?;
            let mut rows = rows.into_iter().peekable();
            for chain in &chains {
                let mut expected_seq = chain.pruned_seq + 1;
                let mut prev_hash = chain.pruned_hash.clone();
                while let Some(row) = rows.next_if(|r| r.citizen_id == chain.citizen_id) {
                    if let Some(broken) = check_row(&row, expected_seq, &prev_hash) {
                        return Ok(Err(broken));
                    }
                    expected_seq = row.seq + 1;
                    prev_hash = row.hash.clone();
                    verified.rows += 1;
                }
                if expected_seq - 1 != chain.last_seq || prev_hash != chain.last_hash {
                    return Ok(Err(BrokenLink {
                        citizen_id: chain.citizen_id,
                        row_id: None,
                        seq: expected_seq,
                        reason: format!(
                            "the chain ends at seq {} but its head says {}: rows after it were deleted",
                            expected_seq - 1,
                            chain.last_seq
                        ),
                    }));
                }
                verified.chains += 1;
            }
        }
    }
}

fn check_row(row: &LinkageRecord, expected_seq: i64, prev_hash: &str) -> Option<BrokenLink> {
    let broken = |reason: String| {
        Some(BrokenLink {
            citizen_id: row.citizen_id,
            row_id: Some(row.id),
            seq: row.seq,
            reason,
        })
    };
    if row.seq != expected_seq {
        return broken(format!(
            "seq {expected_seq} before this row is missing: it was deleted"
        ));
    }
    if row.prev_hash != prev_hash {
        return broken("its link to the previous row does not match".to_owned());
    }
    if row_hash(row) != row.hash {
        return broken("its contents were altered after it was written".to_owned());
    }
    None
}
