//! Storage of the portal: the relational database (SQLite by default, PostgreSQL when `DATABASE_URL` says
//! so) and the key-value store with expiry for short-lived state (the database by default, Redis when
//! `REDIS_URL` is given).
//!
//! Queries are written once with diesel's DSL and compiled for both backends through [`with_conn!`], so
//! there is no per-backend SQL in models.

pub mod bulk;
mod db;
mod error;
pub mod ids;
mod kv;
pub mod models;
pub mod schema;

pub use db::{AnyConnection, Backend, Db, DbConfig, transaction};
pub use error::StorageError;
pub use kv::Kv;

/// Milliseconds since the Unix epoch: the portable timestamp stored in every table.
pub fn now_millis() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
