//! Loading a large amount of data into empty tables (the seeding command's millions of records): their
//! indexes and constraints are dropped first and built again at the end, in the same transaction. Building an
//! index once from all the rows is many times cheaper than keeping it up to date row by row, and a foreign key
//! checked once by a join is cheaper than a trigger per row. Being one transaction, a failed load leaves the
//! tables as they were, indexes and constraints included. PostgreSQL only: SQLite keeps its usual path.

use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Text};

use crate::{AnyConnection, StorageError};

/// What [`defer`] dropped, as the statements that put it back (in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    restore: Vec<String>,
}

impl Deferred {
    /// How many indexes and constraints will be built again.
    pub fn len(&self) -> usize {
        self.restore.len()
    }

    pub fn is_empty(&self) -> bool {
        self.restore.is_empty()
    }
}

#[derive(QueryableByName)]
struct Step {
    #[diesel(sql_type = Text)]
    drop_sql: String,
    #[diesel(sql_type = Text)]
    create_sql: String,
    /// 0: primary keys and unique constraints, 1: other indexes, 2: foreign keys. Built in this order, dropped
    /// in the reverse one (a foreign key may lean on a unique index).
    #[diesel(sql_type = Integer)]
    phase: i32,
}

/// Both kinds of definition, read from the catalog so they are exactly what the migrations made.
const STEPS: &str = "
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
              pg_get_constraintdef(c.oid)) AS create_sql,
       CASE c.contype WHEN 'f' THEN 2 ELSE 0 END AS phase
FROM pg_constraint c
WHERE c.conrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
  AND c.contype IN ('p', 'u', 'f')
UNION ALL
SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), 1
FROM pg_index i
WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)";

/// Drops the indexes and constraints of `tables` (which should be empty: nothing is checked while they are
/// gone) and says how to put them back. Call inside a transaction, and [`restore`] in the same one. `None` on
/// SQLite, which is left alone.
pub fn defer(conn: &mut AnyConnection, tables: &[&str]) -> Result<Option<Deferred>, StorageError> {
    let AnyConnection::Postgres(c) = conn else {
        return Ok(None);
    };
    let names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
    let mut steps = diesel::sql_query(STEPS)
        .bind::<Array<Text>, _>(&names)
        .load::<Step>(c)?;
    steps.sort_by_key(|s| std::cmp::Reverse(s.phase));
    for step in &steps {
        diesel::sql_query(&step.drop_sql).execute(c)?;
    }
    steps.sort_by_key(|s| s.phase);
    Ok(Some(Deferred {
        restore: steps.into_iter().map(|s| s.create_sql).collect(),
    }))
}

/// Builds again what [`defer`] dropped, with memory enough to sort large indexes in one pass.
pub fn restore(conn: &mut AnyConnection, deferred: Deferred) -> Result<(), StorageError> {
    let AnyConnection::Postgres(c) = conn else {
        return Ok(());
    };
    diesel::sql_query("SET LOCAL maintenance_work_mem = '512MB'").execute(c)?;
    for statement in &deferred.restore {
        diesel::sql_query(statement).execute(c)?;
    }
    Ok(())
}
