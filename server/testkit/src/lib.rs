//! Test support shared by the crates' test suites.
//!
//! - [`TestDb`]: a fresh, migrated database per test: a temporary SQLite file, or a new PostgreSQL schema
//!   when `DATABASE_URL=postgres://…` is set (dropped again at the end). No shared state, no fixed ports.
//! - [`test_kv`]: the key-value stores to run a test against: the database one always, and Redis (under a
//!   key prefix of its own) when `REDIS_URL` is set.
//! - [`FaultProxy`]: a TCP proxy that a test can take down and bring back, to see how the portal behaves
//!   when PostgreSQL or Redis goes away.
//! - [`SmtpSink`]: an SMTP server that keeps what it receives, to read back mail sent over SMTP.

mod proxy;
mod smtp;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use portal_storage::{Db, DbConfig, Kv};

pub use proxy::FaultProxy;
pub use smtp::SmtpSink;

/// `DATABASE_URL` when it names PostgreSQL.
pub fn postgres_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// `REDIS_URL` when set.
pub fn redis_url() -> Option<String> {
    std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty())
}

/// A unique, lower-case name for this test's schema, key prefix or folder.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// Appends `options=-csearch_path=<schema>` so every pooled connection works inside the test's schema.
pub fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-csearch_path%3D{schema}")
}

enum Cleanup {
    Sqlite(
        #[expect(dead_code, reason = "held so the folder lives as long as the database")]
        tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        schema: String,
    },
}

/// A migrated database that exists for one test.
pub struct TestDb {
    pub db: Db,
    /// The URL the portal under test is given.
    pub url: String,
    cleanup: Cleanup,
}

impl TestDb {
    /// A fresh database on the backend the environment selects, migrated to the latest version.
    pub async fn new() -> TestDb {
        let test_db = Self::empty();
        if let Err(e) = test_db.db.migrate().await {
            panic!("migrating the test database failed: {e}");
        }
        test_db
    }

    /// A fresh database with no migrations applied.
    pub fn empty() -> TestDb {
        let (url, cleanup) = match postgres_url() {
            Some(admin_url) => {
                let schema = unique_name("test");
                let mut conn = match PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(e) => panic!("DATABASE_URL is set but PostgreSQL is unreachable: {e}"),
                };
                if let Err(e) = conn.batch_execute(&format!("CREATE SCHEMA {schema}")) {
                    panic!("creating schema {schema}: {e}");
                }
                (
                    with_search_path(&admin_url, &schema),
                    Cleanup::Postgres { admin_url, schema },
                )
            }
            None => {
                let dir = match tempfile::tempdir() {
                    Ok(dir) => dir,
                    Err(e) => panic!("creating a temporary folder: {e}"),
                };
                let url = format!("sqlite://{}", dir.path().join("portal.db").display());
                (url, Cleanup::Sqlite(dir))
            }
        };
        let config = DbConfig {
            url: url.clone(),
            pool_size: 4,
            connect_timeout: Duration::from_secs(5),
        };
        let db = match Db::open(&config) {
            Ok(db) => db,
            Err(e) => panic!("opening the test database: {e}"),
        };
        TestDb { db, url, cleanup }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            // Best effort: a schema left behind by a crashed test is harmless and uniquely named.
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// The key-value stores a test should run against: the database one, and Redis when `REDIS_URL` is set.
pub fn test_kv(db: &Db) -> Vec<Kv> {
    let mut stores = vec![Kv::Database(db.clone())];
    if let Some(url) = redis_url() {
        match Kv::redis(&url, &format!("{}:", unique_name("test"))) {
            Ok(kv) => stores.push(kv),
            Err(e) => panic!("REDIS_URL is set but unusable: {e}"),
        }
    }
    stores
}
