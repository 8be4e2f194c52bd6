//! Turning a [`Config`] into running parts: storage, key-value store, mail, GraphQL schema.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use portal_storage::{Db, DbConfig, Kv};

use crate::cards::CardTrust;
use crate::config::Config;
use crate::error::AppError;
use crate::files::Files;
use crate::graphql::build_schema;
use crate::mail::Mailer;
use crate::services::history_queue::HistoryQueue;
use crate::state::AppState;

/// Opens the database and runs pending migrations, so a started server always has the schema it expects.
pub async fn open_database(config: &Config) -> Result<Db, AppError> {
    let db = Db::open(&DbConfig {
        url: config.effective_database_url(),
        pool_size: config.database_pool_size,
        connect_timeout: Duration::from_secs(5),
    })?;
    let applied = db.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(
            backend = db.backend().name(),
            ?applied,
            "applied migrations"
        );
    }
    db.run(|c| crate::services::agencies::ensure_registry(c).map(|_| ()))
        .await?;
    db.run(crate::services::form_definitions::ensure_presets)
        .await?;
    Ok(db)
}

pub async fn build_state(config: Config) -> Result<AppState, AppError> {
    let db = open_database(&config).await?;
    let kv = match &config.redis_url {
        Some(url) => Kv::redis(url, "portal:")?,
        None => Kv::Database(db.clone()),
    };
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url)?,
        None => Mailer::files(&config.outbox_dir())?,
    };
    let mail_from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| AppError::Startup(format!("mail_from is not a mailbox: {e}")))?;
    let feedback_to: Mailbox = config
        .feedback_to
        .parse()
        .map_err(|e| AppError::Startup(format!("feedback_to is not a mailbox: {e}")))?;
    tracing::info!(
        database = db.backend().name(),
        kv = kv.backend_name(),
        mail = %mailer.describe(),
        demo = config.demo,
        "storage ready"
    );
    // Card trust: the simulated test CA (created on first start) or a configured CA and CRL.
    let source = config
        .card_source()
        .map_err(|e| AppError::Startup(e.to_owned()))?;
    let cards = CardTrust::open(source).await?;
    let files_dir = config.files_dir();
    let files = Files::on_disk(&files_dir).map_err(|e| {
        AppError::Startup(format!(
            "files_dir {} cannot be used: {e}",
            files_dir.display()
        ))
    })?;
    Ok(AppState {
        history: HistoryQueue::start(db.clone()),
        files,
        cards: Arc::new(cards),
        banks: Arc::default(),
        config: Arc::new(config),
        db,
        kv,
        mailer,
        mail_from,
        feedback_to,
        schema: build_schema(),
    })
}

/// Deletes expired key-value rows once a minute (Redis expires keys itself).
pub fn spawn_purge(kv: Kv) {
    if matches!(kv, Kv::Redis { .. }) {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = kv.purge_expired().await {
                tracing::warn!(error = %e, "purging expired entries failed");
            }
        }
    });
}

/// Removes やりとり履歴 rows older than the retention period, at start and then daily.
pub fn spawn_linkage_retention(db: Db, retention_days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        loop {
            tick.tick().await;
            match crate::services::history_retention::prune(&db, retention_days).await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "removed history rows past retention"),
                Err(e) => tracing::warn!(error = %e, "removing old history rows failed"),
            }
        }
    });
}

/// Adds API reads waiting in the queue to their citizens' やりとり履歴 chains, twice a second. Any number of
/// processes may run this: each batch is claimed so that no row is appended twice.
pub fn spawn_linkage_fold(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            if let Err(e) = crate::services::app_api::fold_history(&db).await {
                tracing::warn!(error = %e, "adding API reads to the history failed");
            }
        }
    });
}

/// Publishes the rows of files imported in the staff console once a member starts them, checking every
/// second. Any number of processes may run this: each job is claimed with a lease.
pub fn spawn_record_imports(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            loop {
                match crate::services::record_import::work_once(&state).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        // The job's lease runs out and it is taken up again.
                        tracing::warn!(error = %e, "publishing an imported file failed");
                        break;
                    }
                }
            }
        }
    });
}
