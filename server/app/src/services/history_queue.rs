//! Group commit for the やりとり履歴 rows of API reads. An app's read is answered only once its row is
//! committed to `linkage_queue`; the rows of reads that arrive together share one write and one commit, so
//! under load the database does one write for many reads instead of one each. With a single read in flight
//! a batch is that read alone, so nothing waits for company.

use portal_storage::models::linkage::{LinkageRecord, NewLinkage};
use portal_storage::{Db, StorageError};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;

/// Most rows one write carries.
const BATCH: usize = 512;
/// Reads that may wait for the writer before further ones are held at `push`.
const WAITING: usize = 8_192;

type Waiter = (NewLinkage, oneshot::Sender<Result<(), String>>);

/// The sending side; clones share one writer.
#[derive(Clone)]
pub struct HistoryQueue {
    tx: mpsc::Sender<Waiter>,
}

impl HistoryQueue {
    /// Starts the writer on the current Tokio runtime; it ends when every clone is dropped.
    pub fn start(db: Db) -> HistoryQueue {
        let (tx, mut rx) = mpsc::channel::<Waiter>(WAITING);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            // Waits for one read, then takes every other one already waiting (up to BATCH): while a write
            // is in progress the next batch gathers.
            while rx.recv_many(&mut batch, BATCH).await > 0 {
                let (rows, replies): (Vec<NewLinkage>, Vec<_>) = batch.drain(..).unzip();
                let results = write(&db, rows).await;
                for (reply, result) in replies.into_iter().zip(results) {
                    // A reader that gave up (its client went away) no longer listens.
                    let _ = reply.send(result);
                }
            }
        });
        HistoryQueue { tx }
    }

    /// Queues the history row of a read and waits until it is committed.
    pub async fn push(&self, row: NewLinkage) -> Result<(), AppError> {
        let (reply, committed) = oneshot::channel();
        let stopped = || StorageError::Batch("the history writer has stopped".to_owned());
        self.tx
            .send((row, reply))
            .await
            .map_err(|_| AppError::Storage(stopped()))?;
        committed
            .await
            .map_err(|_| AppError::Storage(stopped()))?
            .map_err(|e| AppError::Storage(StorageError::Batch(e)))
    }
}

/// Writes the rows at once; if that fails, each on its own, so that one bad row fails only its own read.
/// Returns one result per row, in order.
async fn write(db: &Db, rows: Vec<NewLinkage>) -> Vec<Result<(), String>> {
    let n = rows.len();
    let retry = (n > 1).then(|| rows.clone());
    match db.run(move |c| LinkageRecord::enqueue(c, rows)).await {
        Ok(()) => vec![Ok(()); n],
        Err(e) => match retry {
            None => vec![Err(e.to_string())],
            Some(rows) => {
                tracing::warn!(error = %e, rows = n, "writing a batch of history rows failed; writing them one by one");
                let mut results = Vec::with_capacity(n);
                for row in rows {
                    let one = db.run(move |c| LinkageRecord::enqueue(c, vec![row])).await;
                    results.push(one.map_err(|e| e.to_string()));
                }
                results
            }
        },
    }
}
