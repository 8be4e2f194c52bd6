//! Keeping やりとり履歴 for its retention period and proving it untouched: removal of old rows (which moves
//! each chain's cut) and verification of every chain.

use portal_storage::models::linkage::{BrokenLink, LinkageRecord, Verified};
use portal_storage::{Db, StorageError, now_millis};

/// Chains handled per query.
const BATCH: i64 = 500;

/// Removes rows older than `retention_days`; returns how many.
pub async fn prune(db: &Db, retention_days: u32) -> Result<u64, StorageError> {
    let before = now_millis() - i64::from(retention_days) * 24 * 60 * 60 * 1000;
    db.run(move |c| LinkageRecord::prune(c, before, BATCH))
        .await
}

/// Checks every chain; the first broken row, if any.
pub async fn verify(db: &Db) -> Result<Result<Verified, BrokenLink>, StorageError> {
    db.run(|c| LinkageRecord::verify_all(c, BATCH)).await
}
