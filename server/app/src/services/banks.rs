//! The Zengin bank table: kept in the database, held in memory by each process, and replaced by an import
//! that invalidates the accounts whose bank or branch changed under them (and tells their citizens).

use std::sync::Arc;
use std::time::{Duration, Instant};

use portal_bank::directory::{Bank, Branch, Change, Directory, changes};
use portal_storage::models::bank::{self, BankRow, BranchRow, DirectoryLoad};
use portal_storage::models::bank_account::{BankAccount, BankAccountEvent, channel, event};
use portal_storage::{Db, now_millis, transaction};
use tokio::sync::RwLock;

use crate::error::AppError;

/// How long a process trusts its copy before asking whether another process imported a newer table.
const RECHECK: Duration = Duration::from_secs(60);

/// This process's copy of the table.
#[derive(Default)]
pub struct BankTable {
    cached: RwLock<Option<Cached>>,
}

struct Cached {
    load: DirectoryLoad,
    directory: Arc<Directory>,
    checked_at: Instant,
}

impl BankTable {
    /// The table. The first call on an empty database loads the data bundled with the portal; a copy older
    /// than a minute is compared with the newest load and read again if another process imported since.
    pub async fn get(&self, db: &Db) -> Result<Arc<Directory>, AppError> {
        if let Some(cached) = self.cached.read().await.as_ref()
            && cached.checked_at.elapsed() < RECHECK
        {
            return Ok(cached.directory.clone());
        }
        let mut slot = self.cached.write().await;
        let latest = match db.run(bank::latest_load).await? {
            Some(load) => load,
            None => load_bundled(db).await?,
        };
        if let Some(cached) = slot.as_mut()
            && cached.load == latest
        {
            cached.checked_at = Instant::now();
            return Ok(cached.directory.clone());
        }
        let (banks, branches) = db.run(bank::load_all).await?;
        let directory = Arc::new(Directory {
            version: latest.version.clone(),
            banks: banks.into_iter().map(bank_of).collect(),
            branches: branches.into_iter().map(branch_of).collect(),
        });
        *slot = Some(Cached {
            load: latest,
            directory: directory.clone(),
            checked_at: Instant::now(),
        });
        Ok(directory)
    }

    /// Forgets the copy, so the next [`BankTable::get`] reads the table again (after an import here).
    pub async fn forget(&self) {
        *self.cached.write().await = None;
    }
}

/// Stores the bundled table as the first load, unless another process got there first.
async fn load_bundled(db: &Db) -> Result<DirectoryLoad, AppError> {
    let directory = tokio::task::spawn_blocking(Directory::bundled)
        .await
        .map_err(|e| AppError::Startup(format!("loading the bank table: {e}")))??;
    let load = DirectoryLoad {
        version: directory.version.clone(),
        loaded_at: now_millis(),
    };
    let stored = load.clone();
    let loaded = db
        .run(move |c| {
            transaction(c, |c| {
                if let Some(existing) = bank::latest_load(c)? {
                    return Ok(existing);
                }
                bank::replace(
                    c,
                    &rows(&directory.banks),
                    &branch_rows(&directory.branches),
                    &stored,
                )?;
                Ok(stored)
            })
        })
        .await?;
    Ok(loaded)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub version: String,
    pub banks: usize,
    pub branches: usize,
    /// Branches of the old table whose code, bank or kana name changed or went.
    pub changed_branches: usize,
    /// Accounts under them, now invalid; each citizen was sent a notice.
    pub invalidated: Vec<BankAccount>,
}

/// Replaces the table with `new` and invalidates the accounts under the branches that changed, in one
/// transaction; then tells each of those citizens (a notice, and a mail if they have an address).
pub async fn import(state: &crate::state::AppState, new: Directory) -> Result<Imported, AppError> {
    let old = state.banks.get(&state.db).await?;
    let changed = changes(&old, &new);
    let at = now_millis();
    let keys: Vec<(String, String, &'static str)> = changed
        .iter()
        .map(|c| {
            let reason = match c.what {
                Change::BankGone => "bank_gone",
                Change::BranchGone => "branch_gone",
                Change::BranchKanaChanged { .. } => "branch_kana_changed",
            };
            (c.bank_code.clone(), c.branch_code.clone(), reason)
        })
        .collect();
    let load = DirectoryLoad {
        version: new.version.clone(),
        loaded_at: at,
    };
    let (bank_rows, branch_rows_) = (rows(&new.banks), branch_rows(&new.branches));
    let invalidated = state
        .db
        .run(move |c| {
            transaction(c, |c| {
                bank::replace(c, &bank_rows, &branch_rows_, &load)?;
                let pairs: Vec<(String, String)> = keys
                    .iter()
                    .map(|(b, r, _)| (b.clone(), r.clone()))
                    .collect();
                let mut invalidated = Vec::new();
                for account in BankAccount::valid_under(c, &pairs)? {
                    let reason = keys
                        .iter()
                        .find(|(b, r, _)| *b == account.bank_code && *r == account.branch_code)
                        .map_or("branch_gone", |(_, _, reason)| *reason);
                    BankAccount::invalidate(c, account.citizen_id, at, reason)?;
                    BankAccountEvent::insert(
                        c,
                        &BankAccountEvent::about(
                            &account,
                            event::INVALIDATED,
                            channel::SYSTEM,
                            None,
                            at,
                        ),
                    )?;
                    invalidated.push(BankAccount {
                        invalid_since: Some(at),
                        invalid_reason: Some(reason.to_owned()),
                        ..account
                    });
                }
                Ok(invalidated)
            })
        })
        .await?;
    state.banks.forget().await;
    for account in &invalidated {
        crate::services::bank_account::tell(
            state,
            account.citizen_id,
            crate::services::bank_account::Told::Invalidated,
            channel::SYSTEM,
            at,
        )
        .await?;
    }
    Ok(Imported {
        version: new.version,
        banks: new.banks.len(),
        branches: new.branches.len(),
        changed_branches: changed.len(),
        invalidated,
    })
}

fn rows(banks: &[Bank]) -> Vec<BankRow> {
    banks
        .iter()
        .map(|b| BankRow {
            code: b.code.clone(),
            name: b.name.clone(),
            kana: b.kana.clone(),
            hira: b.hira.clone(),
        })
        .collect()
}

fn branch_rows(branches: &[Branch]) -> Vec<BranchRow> {
    branches
        .iter()
        .map(|b| BranchRow {
            bank_code: b.bank_code.clone(),
            code: b.code.clone(),
            name: b.name.clone(),
            kana: b.kana.clone(),
            hira: b.hira.clone(),
        })
        .collect()
}

fn bank_of(row: BankRow) -> Bank {
    Bank {
        code: row.code,
        name: row.name,
        kana: row.kana,
        hira: row.hira,
    }
}

fn branch_of(row: BranchRow) -> Branch {
    Branch {
        bank_code: row.bank_code,
        code: row.code,
        name: row.name,
        kana: row.kana,
        hira: row.hira,
    }
}
