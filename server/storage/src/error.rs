/// Every way storage can fail.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database URL {url:?} is not supported: expected postgres://… or sqlite://<path>")]
    UnsupportedUrl { url: String },
    #[error("could not connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("{0} did not answer within {1:?}")]
    Timeout(&'static str, std::time::Duration),
    #[error("storage task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("stored value is malformed: {0}")]
    Malformed(String),
    /// A write shared by several requests failed; its cause is logged once by the writer.
    #[error("a shared write failed: {0}")]
    Batch(String),
}
