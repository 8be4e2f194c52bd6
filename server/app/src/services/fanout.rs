//! Turning a posted notice into mail: the background fan-out. Posting a notice leaves a `notice_fanouts`
//! row (stage 'alert', due now); any process running the fan-out loop claims it and queues one alert per
//! addressed citizen with an address opted in to the notice's category, a chunk of citizens at a time in
//! citizen-id order, saving the cursor after each chunk. The row then waits for the reminder day, when the
//! citizens who were alerted and have not read the notice get one reminder; then it is removed.
//!
//! Every mail has a dedupe key, so a chunk redone after a crash (queued but the cursor not yet saved) adds
//! nothing twice.

use std::time::Duration;

use portal_storage::ids::NoticeId;
use portal_storage::models::agency::Agency;
use portal_storage::models::fanout::{self, Fanout, STAGE_REMINDER, Stage};
use portal_storage::models::notice::Notice;
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::{AnyConnection, Db, StorageError, now_millis};
use tokio::sync::watch;

use crate::error::AppError;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How the fan-out works through its rows.
#[derive(Debug, Clone, Copy)]
pub struct FanoutOptions {
    /// Days after posting when the reminder is due.
    pub reminder_days: u32,
    /// Citizens per chunk: one query and one bulk insert each.
    pub chunk: i64,
    /// How long a claimed row stays this process's without progress before another may take it.
    pub lease_ms: i64,
}

impl FanoutOptions {
    pub fn new(reminder_days: u32) -> FanoutOptions {
        FanoutOptions {
            reminder_days,
            chunk: 2000,
            lease_ms: 5 * 60 * 1000,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FanoutPass {
    /// Fan-out rows worked on.
    pub fanouts: usize,
    /// Mails queued (not counting ones already queued before).
    pub queued: usize,
}

/// Works through every fan-out due now, a few rows per claim, until none is due. Returns what it did.
pub async fn run_due(db: &Db, options: &FanoutOptions) -> Result<FanoutPass, AppError> {
    let mut pass = FanoutPass::default();
    loop {
        let lease = options.lease_ms;
        let claimed = db
            .run(move |c| Fanout::claim(c, now_millis(), lease, 4))
            .await?;
        if claimed.is_empty() {
            return Ok(pass);
        }
        for row in claimed {
            pass.fanouts += 1;
            pass.queued += process(db, row, options).await?;
        }
    }
}

/// Runs [`run_due`] every few seconds until `stop` turns true.
pub async fn run_loop(db: Db, options: FanoutOptions, mut stop: watch::Receiver<bool>) {
    loop {
        match run_due(&db, &options).await {
            Ok(FanoutPass { fanouts: 0, .. }) => {}
            Ok(pass) => tracing::info!(
                fanouts = pass.fanouts,
                queued = pass.queued,
                "queued notice mail"
            ),
            Err(e) => tracing::warn!(error = %e, "notice fan-out failed; trying again shortly"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Where a fan-out stands between chunks.
struct Progress {
    notice: NoticeId,
    stage: String,
    cursor: String,
    /// The claim: the row's `due_at` as this process last set it.
    claim: i64,
}

enum Step {
    /// A chunk was queued and more may follow.
    More(usize),
    /// This process is done with the row for now (stage finished, row removed, or claim lost).
    Done(usize),
}

/// Works one claimed row chunk by chunk until its current stage is done; each chunk is its own short
/// database task, so a long fan-out never holds a connection or a lock for long.
async fn process(db: &Db, row: Fanout, options: &FanoutOptions) -> Result<usize, AppError> {
    let mut progress = Progress {
        notice: row.notice_id,
        stage: row.stage,
        cursor: row.cursor,
        claim: row.due_at,
    };
    let mut queued = 0;
    loop {
        let options = *options;
        let (step, next) = db
            .run(move |c| {
                let mut progress = progress;
                let step = step(c, &mut progress, &options, now_millis())?;
                Ok((step, progress))
            })
            .await?;
        progress = next;
        match step {
            Step::More(n) => queued += n,
            Step::Done(n) => return Ok(queued + n),
        }
    }
}

fn step(
    conn: &mut AnyConnection,
    progress: &mut Progress,
    options: &FanoutOptions,
    now: i64,
) -> Result<Step, StorageError> {
    let Some(notice) = Notice::find(conn, progress.notice)? else {
        Fanout::finish(conn, progress.notice, progress.claim)?;
        return Ok(Step::Done(0));
    };
    // Checked at every chunk, so a withdrawal stops a fan-out part-way.
    if notice.withdrawn_at.is_some() {
        OutboxMail::cancel_queued_for_notice(conn, notice.id)?;
        Fanout::finish(conn, notice.id, progress.claim)?;
        return Ok(Step::Done(0));
    }
    let stage = if progress.stage == STAGE_REMINDER {
        Stage::Reminder
    } else {
        Stage::Alert
    };
    // A notice that has left the inbox gets no reminder pointing to it.
    if stage == Stage::Reminder && notice.expires_at.is_some_and(|at| at <= now) {
        Fanout::finish(conn, notice.id, progress.claim)?;
        return Ok(Step::Done(0));
    }
    let agency = Agency::find(conn, notice.agency_id)?.ok_or_else(|| {
        StorageError::Malformed(format!("notice {} names no known agency", notice.id))
    })?;
    let recipients = fanout::recipients(conn, &notice, stage, &progress.cursor, options.chunk)?;
    let (mail_purpose, key_prefix) = match stage {
        Stage::Alert => (purpose::NOTICE_ALERT, "notice_alert"),
        Stage::Reminder => (purpose::NOTICE_REMINDER, "notice_reminder"),
    };
    let rows: Vec<OutboxMail> = recipients
        .iter()
        .map(|r| {
            // Only what the template needs, and nothing personal: the agency and the unsubscribe token.
            let params = serde_json::json!({
                "agency_ja": agency.name_ja,
                "agency_en": agency.name_en,
                "unsubscribe_token": r.unsubscribe_token,
            });
            let lang = if r.lang == "en" { "en" } else { "ja" };
            let mut mail = OutboxMail::queued(
                mail_purpose,
                format!("{key_prefix}:{}:{}", notice.id, r.citizen_id),
                r.address.clone(),
                lang.to_owned(),
                params.to_string(),
                now,
            );
            mail.notice_id = Some(notice.id);
            mail.citizen_id = Some(r.citizen_id);
            mail
        })
        .collect();
    let queued = OutboxMail::enqueue(conn, &rows)?;
    let chunk_full = i64::try_from(recipients.len()).unwrap_or(i64::MAX) >= options.chunk;

    if chunk_full {
        let cursor = recipients
            .last()
            .map(|r| r.citizen_id.to_string())
            .unwrap_or_default();
        let claim = now + options.lease_ms;
        if !Fanout::advance(
            conn,
            notice.id,
            progress.claim,
            &progress.stage,
            &cursor,
            claim,
            now,
        )? {
            return Ok(Step::Done(queued));
        }
        progress.cursor = cursor;
        progress.claim = claim;
        return Ok(Step::More(queued));
    }

    match stage {
        Stage::Alert => {
            if notice.is_rule() {
                let matched = fanout::count_rule_matches(conn, &notice)?;
                Notice::set_recipients(conn, notice.id, matched)?;
            }
            let remind_at = notice.posted_at + i64::from(options.reminder_days) * DAY_MS;
            if notice.expires_at.is_some_and(|at| at <= remind_at) {
                Fanout::finish(conn, notice.id, progress.claim)?;
            } else {
                Fanout::advance(
                    conn,
                    notice.id,
                    progress.claim,
                    STAGE_REMINDER,
                    "",
                    remind_at,
                    now,
                )?;
            }
        }
        Stage::Reminder => {
            Fanout::finish(conn, notice.id, progress.claim)?;
        }
    }
    Ok(Step::Done(queued))
}
