//! Mail workers: they send what the outbox holds. A worker claims a small batch of due mails, checks that
//! each is still wanted, then sends them one at a time at the configured rate, recording each result before
//! the next. Any number of workers in any number of processes (`portal serve`, `portal mail-worker`) share
//! the outbox: claims skip each other's rows, and a claim ends only when the mail is recorded as sent, failed
//! or cancelled, or when its lease runs out (the worker was killed), when another worker takes it.
//!
//! Delivery is exactly once, by a two-phase hand-over. An SMTP server commits a message when it reads the
//! final dot of DATA and discards it when the connection ends before. So a worker writes the whole message,
//! then records in the database that it handed the mail over, and only then writes the dot. A worker that
//! takes over a mail whose previous worker was killed sends it again only when it carries no hand-over mark
//! (the server never got the dot); with the mark it records the mail as sent, unconfirmed, and sends
//! nothing. What remains is a worker killed between that record and the server's answer to the dot (the
//! microseconds before the dot, plus the server's time to take the message), or a connection lost there:
//! the mail is recorded as sent, and a server that dropped it because the client left loses it. That
//! window errs towards one lost mail rather than a duplicate, which could not be taken back.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use portal_storage::ids::MailId;
use portal_storage::models::outbox::{self, OutboxMail, RetryPolicy, purpose};
use portal_storage::{Db, now_millis};
use portal_web::Lang;
use portal_web::pages::account_mail::AccountMail;
use portal_web::pages::application_mail::ApplicationMail;
use portal_web::pages::notice_mail::{ConfirmMail, NoticeMail, NoticeMailKind};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::Config;
use crate::error::AppError;
use crate::mail::{Delivery, Headers, Mail, Mailer, SendError, SmtpSession};
use crate::services::fanout::{self, FanoutOptions};

/// What a worker sends with and where its links point.
pub struct MailSender {
    pub db: Db,
    pub mailer: Mailer,
    pub from: Mailbox,
    /// The portal's address without a trailing slash: links in mail start here.
    public_url: String,
    /// The host of `public_url`: the right-hand side of every Message-ID.
    host: String,
}

impl MailSender {
    pub fn new(db: Db, mailer: Mailer, from: Mailbox, public_url: &str) -> MailSender {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let host = url::Url::parse(&public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned());
        MailSender {
            db,
            mailer,
            from,
            public_url,
            host,
        }
    }

    /// `<mail id@host>`: the same for every attempt at one mail, so a resend is recognisably the same mail.
    pub fn message_id(&self, mail: &OutboxMail) -> String {
        format!("<{}@{}>", mail.id, self.host)
    }
}

/// How a worker paces and retries.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    pub rate_per_second: u32,
    /// Mails claimed at once: about two seconds' worth, so few are held up if this worker dies.
    pub batch: i64,
    /// How long a mail being sent stays this worker's; each step of a send (connecting, every SMTP read or
    /// write) is given at most half of it.
    pub lease: Duration,
    pub retry: RetryPolicy,
    /// Pause when nothing is due.
    pub idle_wait: Duration,
}

impl WorkerOptions {
    pub fn new(rate_per_second: u32, lease: Duration) -> WorkerOptions {
        let rate = rate_per_second.max(1);
        WorkerOptions {
            rate_per_second: rate,
            batch: i64::from(rate.saturating_mul(2)).clamp(1, 100),
            lease,
            retry: RetryPolicy::default(),
            idle_wait: Duration::from_secs(1),
        }
    }

    pub fn from_config(config: &Config) -> WorkerOptions {
        Self::new(
            config.mail_rate_per_second,
            Duration::from_secs(config.mail_lease_secs),
        )
    }

    fn lease_ms(&self) -> i64 {
        i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX / 4)
    }

    /// A batch's claim covers the wait for its turn at the rate, plus one lease.
    fn batch_claim_ms(&self) -> i64 {
        self.lease_ms() + self.batch * 1000 / i64::from(self.rate_per_second.max(1))
    }
}

/// What happened to the mails of one batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub claimed: usize,
    pub sent: usize,
    /// Will be tried again later.
    pub retrying: usize,
    pub failed: usize,
    pub cancelled: usize,
    /// Given back unsent because the worker is stopping, or lost to another worker.
    pub released: usize,
    /// Of `sent`: recorded as sent without the server's reply to the final dot, because the mail had been
    /// handed over (by this worker before its connection broke, or by a worker that was killed).
    pub unconfirmed: usize,
}

/// Spaces sends `1 / rate` apart without letting idle time turn into a burst.
struct Pace {
    every: Duration,
    next: Instant,
}

impl Pace {
    fn new(rate_per_second: u32) -> Pace {
        Pace {
            every: Duration::from_secs(1) / rate_per_second.max(1),
            next: Instant::now(),
        }
    }

    /// Waits for the next slot; false when `stop` turned true meanwhile.
    async fn wait(&mut self, stop: &mut watch::Receiver<bool>) -> bool {
        if *stop.borrow() {
            return false;
        }
        let now = Instant::now();
        if self.next > now {
            tokio::select! {
                () = tokio::time::sleep_until(self.next) => {}
                _ = stop.changed() => return false,
            }
        }
        self.next = self.next.max(now) + self.every;
        true
    }
}

/// Claims one batch and works through it. Used by the worker loop, and by tests to drive a worker by hand.
pub async fn work_batch(
    sender: &MailSender,
    options: &WorkerOptions,
    stop: &mut watch::Receiver<bool>,
) -> Result<BatchOutcome, AppError> {
    let mut pace = Pace::new(options.rate_per_second);
    work_batch_paced(sender, options, &mut pace, stop).await
}

async fn work_batch_paced(
    sender: &MailSender,
    options: &WorkerOptions,
    pace: &mut Pace,
    stop: &mut watch::Receiver<bool>,
) -> Result<BatchOutcome, AppError> {
    // One SMTP connection for the batch, opened at its first mail.
    let mut smtp = sender.mailer.session(options.lease / 2);
    let outcome = work_claimed(sender, options, pace, stop, &mut smtp).await;
    if let Some(mut session) = smtp.filter(SmtpSession::is_connected) {
        let _ = tokio::task::spawn_blocking(move || session.close()).await;
    }
    outcome
}

async fn work_claimed(
    sender: &MailSender,
    options: &WorkerOptions,
    pace: &mut Pace,
    stop: &mut watch::Receiver<bool>,
    smtp: &mut Option<SmtpSession>,
) -> Result<BatchOutcome, AppError> {
    let (claim_ms, batch) = (options.batch_claim_ms(), options.batch);
    let mails = sender
        .db
        .run(move |c| OutboxMail::claim(c, now_millis(), claim_ms, batch))
        .await?;
    let mut outcome = BatchOutcome {
        claimed: mails.len(),
        ..BatchOutcome::default()
    };
    // Taken over from a worker that stopped after handing them over: the server has them, or had all but
    // the dot when that worker died. Sending again could deliver twice, so they are recorded as sent.
    let (handed_over, mails): (Vec<OutboxMail>, Vec<OutboxMail>) =
        mails.into_iter().partition(|m| m.handed_over_at.is_some());
    for mail in handed_over {
        let (id, Some(claim)) = (mail.id, mail.claimed_until) else {
            continue;
        };
        let note =
            "recorded as sent without the server's reply: its worker stopped after handing it over";
        if sender
            .db
            .run(move |c| OutboxMail::record_unconfirmed(c, id, claim, note))
            .await?
        {
            outcome.sent += 1;
            outcome.unconfirmed += 1;
            tracing::warn!(mail = %id, handed_over_at = mail.handed_over_at, "{note}");
        } else {
            outcome.released += 1;
        }
    }
    if mails.is_empty() {
        return Ok(outcome);
    }
    let checked = mails.clone();
    let unwanted = sender
        .db
        .run(move |c| outbox::unwanted(c, &checked, now_millis()))
        .await?;
    let mut pending = mails.into_iter().zip(unwanted);
    while let Some((mail, unwanted)) = pending.next() {
        if let Some(reason) = unwanted {
            let reason = reason.to_owned();
            let id = mail.id;
            if sender
                .db
                .run(move |c| OutboxMail::cancel(c, &mail, &reason))
                .await?
            {
                outcome.cancelled += 1;
                tracing::info!(mail = %id, "mail no longer wanted; cancelled");
            }
            continue;
        }
        if !pace.wait(stop).await {
            // Stopping: what is left goes back to the queue now rather than waiting out the lease.
            let rest: Vec<OutboxMail> = std::iter::once(mail)
                .chain(pending.map(|(m, _)| m))
                .collect();
            outcome.released += rest.len();
            sender
                .db
                .run(move |c| {
                    for mail in &rest {
                        OutboxMail::release(c, mail)?;
                    }
                    Ok(())
                })
                .await?;
            return Ok(outcome);
        }
        match send_one(sender, options, mail, smtp).await? {
            Some(Sent::Confirmed) => outcome.sent += 1,
            Some(Sent::Unconfirmed) => {
                outcome.sent += 1;
                outcome.unconfirmed += 1;
            }
            Some(Sent::Not(outbox::status::QUEUED)) => outcome.retrying += 1,
            Some(Sent::Not(outbox::status::FAILED)) => outcome.failed += 1,
            _ => outcome.released += 1,
        }
    }
    Ok(outcome)
}

/// What became of a mail this worker tried to send.
enum Sent {
    /// The server answered the final dot with 250.
    Confirmed,
    /// Handed over, then the connection failed before the server's reply: recorded as sent.
    Unconfirmed,
    /// Not sent: the mail's new status.
    Not(&'static str),
}

/// Sends one claimed mail and records the result. Returns `None` when the claim was no longer this
/// worker's (then the server did not get the mail from here).
async fn send_one(
    sender: &MailSender,
    options: &WorkerOptions,
    mut mail: OutboxMail,
    smtp: &mut Option<SmtpSession>,
) -> Result<Option<Sent>, AppError> {
    let Some(claim) = mail.claimed_until else {
        return Ok(None);
    };
    // Renewed right before sending, so the send has a whole lease however long the batch waited.
    let (id, lease_ms) = (mail.id, options.lease_ms());
    let Some(renewed) = sender
        .db
        .run(move |c| OutboxMail::renew(c, id, claim, now_millis() + lease_ms))
        .await?
    else {
        return Ok(None);
    };
    mail.claimed_until = Some(renewed);

    let message = render(sender, &mail)
        .and_then(|(message, headers)| Mailer::message(&sender.from, message, &headers));
    // A session lost with a failed exchange is replaced; `None` only for mail written to files.
    let session = smtp
        .take()
        .or_else(|| sender.mailer.session(options.lease / 2));
    let result = match (message, session) {
        (Err(e), session) => {
            *smtp = session;
            Err(e)
        }
        (Ok(message), Some(session)) => {
            let (session, delivery) =
                send_handing_over(sender, id, renewed, message, session).await?;
            *smtp = Some(session);
            delivery
        }
        // Files: a mail is written whole or not at all, so there is nothing to hand over.
        (Ok(message), None) => {
            // Half a lease at most, so a stuck disk cannot keep the mail past its claim.
            match tokio::time::timeout(options.lease / 2, sender.mailer.send_message(message)).await
            {
                Ok(sent) => sent.map(|()| Delivery::Accepted),
                Err(_) => Err(SendError::Transient("timed out".to_owned())),
            }
        }
    };
    let retry = options.retry;
    let status = match result {
        Ok(Delivery::Accepted) => {
            let recorded = sender
                .db
                .run(move |c| OutboxMail::record_sent(c, id, renewed, now_millis()))
                .await?;
            if !recorded {
                tracing::warn!(mail = %id, "mail sent but its claim had passed to another worker");
            }
            Some(Sent::Confirmed)
        }
        Ok(Delivery::Unconfirmed(error)) => {
            // Handed over, and the dot written or being written: the server may have the message, so
            // sending it again risks a duplicate.
            let note =
                format!("recorded as sent without the server's reply to the final dot: {error}");
            let recorded = sender
                .db
                .run({
                    let note = note.clone();
                    move |c| OutboxMail::record_unconfirmed(c, id, renewed, &note)
                })
                .await?;
            tracing::warn!(mail = %id, recorded, "{note}");
            recorded.then_some(Sent::Unconfirmed)
        }
        // The dot was never written, so the server discarded the message: a failed attempt like any other.
        Ok(Delivery::Withheld(reason)) => {
            let error = SendError::Transient(format!("not handed over: {reason}"));
            record_failure(sender, mail, error, retry).await?
        }
        Err(error) => record_failure(sender, mail, error, retry).await?,
    };
    Ok(status)
}

/// The SMTP exchange of one mail on the blocking thread pool, where the hand-over can be recorded between
/// the message and its final dot; the session comes back for the batch's next mail.
async fn send_handing_over(
    sender: &MailSender,
    id: MailId,
    claim: i64,
    message: lettre::Message,
    mut session: SmtpSession,
) -> Result<(SmtpSession, Result<Delivery, SendError>), AppError> {
    let db = sender.db.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let delivery = session.send(&message, || {
            // Conditioned on the claim: a worker whose mail passed to another must not write the dot.
            let handed = runtime
                .block_on(db.run(move |c| OutboxMail::hand_over(c, id, claim, now_millis())));
            match handed {
                Ok(true) => Ok(()),
                Ok(false) => Err("its claim had passed to another worker".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        });
        (session, delivery)
    })
    .await
    .map_err(|e| AppError::Mail(format!("the SMTP exchange stopped: {e}")))
}

/// Records a failed attempt: queued for a retry, or failed for good. `None` when the claim was lost.
async fn record_failure(
    sender: &MailSender,
    mail: OutboxMail,
    error: SendError,
    retry: RetryPolicy,
) -> Result<Option<Sent>, AppError> {
    let permanent = matches!(error, SendError::Permanent(_));
    let text = error.to_string();
    let (id, attempts) = (mail.id, mail.attempts);
    let status = sender
        .db
        .run(move |c| OutboxMail::record_failure(c, &mail, now_millis(), &text, permanent, &retry))
        .await?;
    match status {
        Some(outbox::status::FAILED) => {
            tracing::warn!(mail = %id, attempts, error = %error, "mail failed for good")
        }
        _ => {
            tracing::info!(mail = %id, attempts, error = %error, "mail not sent; will retry")
        }
    }
    Ok(status.map(Sent::Not))
}

/// The message for a row: its purpose's templates in the row's language, with the headers it needs.
fn render(sender: &MailSender, mail: &OutboxMail) -> Result<(Mail, Headers), SendError> {
    let bad = |what: &str| SendError::Permanent(format!("cannot build mail {}: {what}", mail.id));
    let to: Mailbox = mail
        .to_address
        .parse()
        .map_err(|_| bad("the address is not a mailbox"))?;
    let params: serde_json::Value =
        serde_json::from_str(&mail.params).map_err(|_| bad("params are not JSON"))?;
    let param = |name: &str| params.get(name).and_then(serde_json::Value::as_str);
    let lang = Lang::from_code(&mail.lang).unwrap_or_default();
    let mut headers = Headers {
        message_id: Some(sender.message_id(mail)),
        extra: Vec::new(),
    };
    let rendered = |e: askama::Error| bad(&e.to_string());
    let message = match mail.purpose.as_str() {
        purpose::NOTICE_ALERT | purpose::NOTICE_REMINDER => {
            let agency = match lang {
                Lang::En => param("agency_en"),
                Lang::Ja => param("agency_ja"),
            }
            .ok_or_else(|| bad("no agency name"))?;
            let token = param("unsubscribe_token").ok_or_else(|| bad("no unsubscribe token"))?;
            let inbox_url = format!("{}/notices", sender.public_url);
            let unsubscribe_url = format!("{}/unsubscribe/{token}", sender.public_url);
            let kind = if mail.purpose == purpose::NOTICE_ALERT {
                NoticeMailKind::Alert
            } else {
                NoticeMailKind::Reminder
            };
            let view = NoticeMail {
                lang,
                kind,
                agency,
                inbox_url: &inbox_url,
                unsubscribe_url: &unsubscribe_url,
            };
            // RFC 8058: mail clients offer a one-click unsubscribe that POSTs to this address.
            headers.extra.push((
                "List-Unsubscribe".to_owned(),
                format!("<{unsubscribe_url}>"),
            ));
            headers.extra.push((
                "List-Unsubscribe-Post".to_owned(),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
            Mail {
                to,
                subject: view.subject(),
                text: view.text().map_err(rendered)?,
                html: view.html().map_err(rendered)?,
            }
        }
        purpose::CONFIRM_ADDRESS => {
            let code = param("code").ok_or_else(|| bad("no code"))?;
            let view = ConfirmMail { lang, code };
            Mail {
                to,
                subject: view.subject(),
                text: view.text().map_err(rendered)?,
                html: view.html().map_err(rendered)?,
            }
        }
        purpose::ACCOUNT_CHANGED => {
            let (date, time) = (
                param("date").ok_or_else(|| bad("no date"))?,
                param("time").ok_or_else(|| bad("no time"))?,
            );
            let when = portal_web::format::datetime(lang, date, time);
            let account_url = format!("{}/account", sender.public_url);
            let view = AccountMail {
                lang,
                what: param("what").ok_or_else(|| bad("no event"))?,
                when: &when,
                channel: param("channel").ok_or_else(|| bad("no channel"))?,
                account_url: &account_url,
            };
            Mail {
                to,
                subject: view.subject(),
                text: view.text().map_err(rendered)?,
                html: view.html().map_err(rendered)?,
            }
        }
        purpose::APPLICATION_SENT => {
            let (date, time) = (
                param("date").ok_or_else(|| bad("no date"))?,
                param("time").ok_or_else(|| bad("no time"))?,
            );
            let when = portal_web::format::datetime(lang, date, time);
            let application = param("application").ok_or_else(|| bad("no application"))?;
            let application_url = format!("{}/applications/{application}", sender.public_url);
            let view = ApplicationMail {
                lang,
                receipt: param("receipt").ok_or_else(|| bad("no receipt"))?,
                when: &when,
                application_url: &application_url,
            };
            Mail {
                to,
                subject: view.subject(),
                text: view.text().map_err(rendered)?,
                html: view.html().map_err(rendered)?,
            }
        }
        _ => return Err(bad("unknown purpose")),
    };
    Ok((message, headers))
}

/// One worker: batches until `stop` turns true, then it returns once the mail in flight is recorded.
pub async fn run_worker(
    sender: Arc<MailSender>,
    options: WorkerOptions,
    mut stop: watch::Receiver<bool>,
) {
    let mut pace = Pace::new(options.rate_per_second);
    while !*stop.borrow() {
        let idle = match work_batch_paced(&sender, &options, &mut pace, &mut stop).await {
            Ok(outcome) => outcome.claimed == 0,
            Err(e) => {
                tracing::warn!(error = %e, "mail worker could not work the outbox; trying again shortly");
                true
            }
        };
        if idle {
            tokio::select! {
                () = tokio::time::sleep(options.idle_wait) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// The mail workers and the fan-out loop of one process.
pub struct MailBackground {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl MailBackground {
    /// Starts `config.mail_workers` workers and the fan-out loop on the current runtime.
    pub fn start(config: &Config, db: Db, mailer: Mailer, from: Mailbox) -> MailBackground {
        let (stop, stopped) = watch::channel(false);
        let sender = Arc::new(MailSender::new(
            db.clone(),
            mailer,
            from,
            &config.public_url(),
        ));
        let options = WorkerOptions::from_config(config);
        let mut tasks: Vec<JoinHandle<()>> = (0..config.mail_workers)
            .map(|_| tokio::spawn(run_worker(sender.clone(), options, stopped.clone())))
            .collect();
        tasks.push(tokio::spawn(fanout::run_loop(
            db,
            FanoutOptions::new(config.notice_reminder_days),
            stopped,
        )));
        tracing::info!(
            workers = config.mail_workers,
            rate_per_second = config.mail_rate_per_second,
            "mail workers started"
        );
        MailBackground { stop, tasks }
    }

    /// Asks every task to stop and waits for them: each worker finishes the mail in flight and gives the
    /// rest of its batch back to the queue.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "a mail task ended abnormally");
            }
        }
        tracing::info!("mail workers stopped");
    }
}

/// `portal mail-worker`: only the mail workers and the fan-out loop, until SIGTERM or Ctrl-C.
pub async fn run_mail_worker(config: Config) -> Result<(), AppError> {
    let db = crate::startup::open_database(&config).await?;
    let mailer = Mailer::for_config(&config)?;
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| AppError::Startup(format!("mail_from is not a mailbox: {e}")))?;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| AppError::Startup(format!("cannot watch for SIGTERM: {e}")))?;
    tracing::info!(mail = %mailer.describe(), "mail worker ready");
    let background = MailBackground::start(&config, db, mailer, from);
    tokio::select! {
        _ = terminate.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("stopping the mail workers");
    background.stop().await;
    Ok(())
}
