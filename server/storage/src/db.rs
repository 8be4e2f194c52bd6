use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::StorageError;

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// A connection to either backend. Queries reach the inner connection through [`with_conn!`], which
/// compiles the same diesel DSL once per backend.
pub enum AnyConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the concrete connection of either backend.
#[macro_export]
macro_rules! with_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Postgres($c) => $body,
            $crate::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// Inserts many rows at once: binary COPY on PostgreSQL, several times faster than multi-row INSERTs for
/// millions of rows; multi-row INSERTs on SQLite, each within its limit of 32766 bound values (`$columns`
/// values a row). No conflict handling. Evaluates to `Result<(), diesel::result::Error>`.
#[macro_export]
macro_rules! insert_bulk {
    ($conn:expr, $table:expr, $rows:expr, $columns:expr) => {
        match $conn {
            $crate::AnyConnection::Postgres(c) => diesel::copy_from($table)
                .from_insertable($rows)
                .execute(c)
                .map(|_| ()),
            $crate::AnyConnection::Sqlite(c) => {
                $rows.chunks(32_766 / $columns).try_for_each(|chunk| {
                    diesel::insert_into($table)
                        .values(chunk)
                        .execute(c)
                        .map(|_| ())
                })
            }
        }
    };
}

/// Runs `f` in one transaction on either backend: committed when it returns Ok, rolled back otherwise.
/// For work that spans several models' queries; a single model's queries use diesel's own `transaction`.
pub fn transaction<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, StorageError>,
) -> Result<T, StorageError> {
    use diesel::connection::TransactionManager;
    type Pg = <PgConnection as Connection>::TransactionManager;
    type Lite = <SqliteConnection as Connection>::TransactionManager;
    match conn {
        AnyConnection::Postgres(c) => Pg::begin_transaction(c)?,
        AnyConnection::Sqlite(c) => Lite::begin_transaction(c)?,
    }
    let result = f(conn);
    let end = match (&result, &mut *conn) {
        (Ok(_), AnyConnection::Postgres(c)) => Pg::commit_transaction(c),
        (Ok(_), AnyConnection::Sqlite(c)) => Lite::commit_transaction(c),
        (Err(_), AnyConnection::Postgres(c)) => Pg::rollback_transaction(c),
        (Err(_), AnyConnection::Sqlite(c)) => Lite::rollback_transaction(c),
    };
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// Where the database is and how many connections to keep.
#[derive(Debug, Clone)]
pub struct DbConfig {
    pub url: String,
    pub pool_size: u32,
    /// How long a request waits for a free connection (also bounds /readyz when the server is gone).
    pub connect_timeout: Duration,
}

/// The connection URL split into backend and the string its driver takes. The backend is chosen from the
/// scheme here rather than by trying each driver, so a bad PostgreSQL URL reports PostgreSQL's own error
/// instead of being taken for a SQLite file name.
fn parse_url(url: &str) -> Result<(Backend, String), StorageError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_owned()))
    } else if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            return Err(StorageError::UnsupportedUrl {
                url: url.to_owned(),
            });
        }
        Ok((Backend::Sqlite, path.to_owned()))
    } else {
        Err(StorageError::UnsupportedUrl {
            url: url.to_owned(),
        })
    }
}

struct Manager {
    backend: Backend,
    target: String,
}

/// A pooled connection and what the pool needs to know to keep or drop it.
struct Pooled {
    conn: AnyConnection,
    /// When the connection last finished a piece of work.
    last_used: Instant,
    /// A query failed in a way that leaves the connection unusable: the pool drops it.
    broken: bool,
}

/// A connection used this recently is taken as good without a round trip to check it; under load that
/// saves a `SELECT 1` per query, while one that sat idle (and may have been cut) is still checked.
const TRUSTED_FOR: Duration = Duration::from_secs(1);

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<Pooled, diesel::ConnectionError> {
        let conn = self.connect_any()?;
        Ok(Pooled {
            conn,
            last_used: Instant::now(),
            broken: false,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), diesel::ConnectionError> {
        if pooled.last_used.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        with_conn!(&mut pooled.conn, |c| c.batch_execute("SELECT 1"))
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.broken
    }
}

impl Manager {
    fn connect_any(&self) -> Result<AnyConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.target).map(AnyConnection::Postgres),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.target)?;
                // WAL lets readers run beside the one writer; busy_timeout makes a writer wait for the lock
                // instead of failing at once.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

/// Whether an error means the connection itself is gone (the server restarted, the network dropped).
fn breaks_connection(error: &StorageError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        error,
        StorageError::Query(
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _
            ) | Error::BrokenTransactionManager
        )
    )
}

/// A pool of database connections. Work runs on tokio's blocking pool, never on the async workers.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
}

impl Db {
    /// Opens the pool without connecting yet; `migrate` or the first query connects. A SQLite file's folder
    /// is created when missing.
    pub fn open(config: &DbConfig) -> Result<Db, StorageError> {
        let (backend, target) = parse_url(&config.url)?;
        let folder = PathBuf::from(&target)
            .parent()
            .map(PathBuf::from)
            .filter(|p| !p.as_os_str().is_empty());
        if let (Backend::Sqlite, Some(folder)) = (backend, folder) {
            std::fs::create_dir_all(&folder).map_err(|e| {
                StorageError::Connect(diesel::ConnectionError::BadConnection(format!(
                    "cannot create {}: {e}",
                    folder.display()
                )))
            })?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(config.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(config.connect_timeout)
            .test_on_check_out(true)
            .build_unchecked(Manager { backend, target });
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, StorageError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut pooled = pool.get()?;
            let result = f(&mut pooled.conn);
            pooled.last_used = Instant::now();
            if let Err(e) = &result {
                pooled.broken = breaks_connection(e);
            }
            result
        })
        .await?
    }

    /// Applies every embedded migration not yet applied; returns the versions it applied.
    pub async fn migrate(&self) -> Result<Vec<String>, StorageError> {
        self.run(|conn| {
            let applied = match conn {
                AnyConnection::Postgres(c) => {
                    c.run_pending_migrations(POSTGRES_MIGRATIONS).map(versions)
                }
                AnyConnection::Sqlite(c) => {
                    c.run_pending_migrations(SQLITE_MIGRATIONS).map(versions)
                }
            };
            applied.map_err(|e| StorageError::Migration(e.to_string()))
        })
        .await
    }

    /// Reverts every applied migration, newest first; the tests use it to prove migrations reversible.
    pub async fn revert_all(&self) -> Result<Vec<String>, StorageError> {
        self.run(|conn| {
            let reverted = match conn {
                AnyConnection::Postgres(c) => {
                    c.revert_all_migrations(POSTGRES_MIGRATIONS).map(versions)
                }
                AnyConnection::Sqlite(c) => {
                    c.revert_all_migrations(SQLITE_MIGRATIONS).map(versions)
                }
            };
            reverted.map_err(|e| StorageError::Migration(e.to_string()))
        })
        .await
    }

    /// After a bulk load: refreshes the query planner's statistics and, on PostgreSQL, the visibility map
    /// (VACUUM), without which index-only scans still visit every row's heap page until autovacuum comes.
    pub async fn analyze(&self) -> Result<(), StorageError> {
        self.run(|conn| {
            match conn {
                AnyConnection::Postgres(c) => c.batch_execute("VACUUM ANALYZE")?,
                AnyConnection::Sqlite(c) => c.batch_execute("ANALYZE")?,
            }
            Ok(())
        })
        .await
    }

    /// One round trip to the database, bounded by `timeout`: what /readyz asks.
    pub async fn ping(&self, timeout: Duration) -> Result<(), StorageError> {
        let pool = self.pool.clone();
        let work = tokio::task::spawn_blocking(move || {
            let mut pooled = pool.get_timeout(timeout)?;
            // Always a real round trip: readiness must not trust a recently used connection.
            let answered = with_conn!(&mut pooled.conn, |c| c.batch_execute("SELECT 1"));
            pooled.broken = answered.is_err();
            answered?;
            Ok::<(), StorageError>(())
        });
        match tokio::time::timeout(timeout + Duration::from_millis(500), work).await {
            Ok(joined) => joined?,
            Err(_) => Err(StorageError::Timeout("database", timeout)),
        }
    }
}

fn versions(applied: Vec<diesel::migration::MigrationVersion<'_>>) -> Vec<String> {
    applied.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_picks_the_backend() {
        assert!(matches!(
            parse_url("postgres://u@h/db"),
            Ok((Backend::Postgres, _))
        ));
        assert!(matches!(
            parse_url("postgresql://u@h/db"),
            Ok((Backend::Postgres, _))
        ));
        assert!(
            matches!(parse_url("sqlite://data/p.db"), Ok((Backend::Sqlite, ref p)) if p == "data/p.db")
        );
        assert!(
            matches!(parse_url("sqlite:/tmp/p.db"), Ok((Backend::Sqlite, ref p)) if p == "/tmp/p.db")
        );
        assert!(matches!(
            parse_url("mysql://h/db"),
            Err(StorageError::UnsupportedUrl { .. })
        ));
        assert!(matches!(
            parse_url("sqlite://"),
            Err(StorageError::UnsupportedUrl { .. })
        ));
    }
}
