//! Durable notice mail against a real SMTP server (Debian's python3-aiosmtpd, delivering into a Maildir),
//! on the backend the environment selects: alerts wait out an SMTP outage, a killed `portal mail-worker`
//! loses nothing and duplicates nothing, a mail taken over is sent again only when it was not handed over,
//! alerts say nothing personal, failures back off and give up, and the fan-out queues exactly the opted-in
//! recipients once.

use std::collections::{BTreeSet, HashMap};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use portal_server::mail::Mailer;
use portal_server::services::fanout::{self, FanoutOptions};
use portal_server::services::outbox::{MailSender, WorkerOptions, work_batch};
use portal_storage::ids::{CitizenId, MailId, NoticeId};
use portal_storage::models::agency::Agency;
use portal_storage::models::citizen::Citizen;
use portal_storage::models::fanout::{Fanout, STAGE_REMINDER};
use portal_storage::models::notice::{AUDIENCE_LARGE_LIST, AUDIENCE_LIST, AUDIENCE_RULE, Notice};
use portal_storage::models::outbox::{OutboxMail, RetryPolicy, purpose, status};
use portal_storage::schema::{email_addresses, mail_outbox};
use portal_storage::{Db, now_millis, with_conn};
use portal_testkit::TestDb;
use tokio::sync::watch;

const PUBLIC_URL: &str = "https://portal.example";

/// Handlers like aiosmtpd's Mailbox. RejectingMailbox refuses, with a permanent 550, recipients whose
/// address starts with "reject", and answers the final dot of a message to one starting with "defer" with a
/// 451. SlowFifteenthReply keeps the 15th message it gets, then waits 5 s before answering its final dot,
/// as a server slow to confirm would: a client killed meanwhile has handed the message over but never
/// learns that it was taken. (aiosmtpd abandons a reply whose client has gone.)
const HANDLERS: &str = r#"
import asyncio
from aiosmtpd.handlers import Mailbox

class SlowFifteenthReply(Mailbox):
    kept = 0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        SlowFifteenthReply.kept += 1
        if SlowFifteenthReply.kept == 15:
            await asyncio.sleep(5)
        return reply

class RejectingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(rcpt.startswith("defer") for rcpt in envelope.rcpt_tos):
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)
"#;

/// An aiosmtpd process delivering into a Maildir; it can be stopped and started again on the same port.
struct SmtpServer {
    port: u16,
    maildir: PathBuf,
    handler: &'static str,
    python_path: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    /// A server on a free port, not yet started.
    fn new(handler: &'static str) -> SmtpServer {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("handlers.py"), HANDLERS).expect("handlers");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        SmtpServer {
            port,
            maildir: dir.path().join("Maildir"),
            handler,
            python_path: dir.path().to_owned(),
            child: None,
            _dir: dir,
        }
    }

    fn started(handler: &'static str) -> SmtpServer {
        let mut server = Self::new(handler);
        server.start();
        server
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", self.handler])
            .arg(&self.maildir)
            .env("PYTHONPATH", &self.python_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (apt-get install python3-aiosmtpd)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every delivered message, raw.
    fn messages(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                out.push(std::fs::read(entry.path()).expect("read mail"));
            }
        }
        out
    }

    /// How many times each Message-ID arrived.
    fn message_ids(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for raw in self.messages() {
            let mail = mailparse::parse_mail(&raw).expect("parse");
            let id = header(&mail, "Message-ID").expect("every mail has a Message-ID");
            *counts.entry(id).or_insert(0) += 1;
        }
        counts
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn header(mail: &mailparse::ParsedMail<'_>, name: &str) -> Option<String> {
    use mailparse::MailHeaderMap;
    mail.headers.get_first_value(name)
}

/// The test's people, agency and notices.
struct World {
    test_db: TestDb,
    agency: Agency,
}

struct Person<'a> {
    name: &'a str,
    lang: &'a str,
    municipality: &'a str,
    birth_date: &'a str,
    /// Stored categories (`,tax,`), or `None` for no address at all.
    categories: Option<&'a str>,
}

impl World {
    async fn new() -> World {
        let test_db = TestDb::new().await;
        let agency = test_db
            .db
            .run(|c| {
                portal_server::services::agencies::ensure_registry(c)?;
                Agency::find_by_code(c, "131016")
            })
            .await
            .expect("registry")
            .expect("Chiyoda is registered");
        World { test_db, agency }
    }

    fn db(&self) -> &Db {
        &self.test_db.db
    }

    /// Citizens, with addresses `<n>@example.jp` (the n-th of the list) where they have one.
    async fn citizens(&self, people: &[Person<'_>]) -> Vec<CitizenId> {
        let now = now_millis();
        let rows: Vec<Citizen> = people
            .iter()
            .map(|p| Citizen {
                id: CitizenId::new(),
                name: p.name.to_owned(),
                name_kana: "テスト".to_owned(),
                birth_date: p.birth_date.to_owned(),
                sex: "female".to_owned(),
                address: "東京都千代田区永田町1-7-1".to_owned(),
                municipality_code: p.municipality.to_owned(),
                email: None,
                lang: p.lang.to_owned(),
                created_at: now,
            })
            .collect();
        let ids: Vec<CitizenId> = rows.iter().map(|r| r.id).collect();
        let addresses: Vec<(CitizenId, String, String)> = people
            .iter()
            .zip(&ids)
            .enumerate()
            .filter_map(|(n, (p, id))| {
                p.categories
                    .map(|c| (*id, format!("person{n}@example.jp"), c.to_owned()))
            })
            .collect();
        self.db()
            .run(move |c| {
                Citizen::insert_bulk(c, &rows)?;
                for chunk in addresses.chunks(1000) {
                    let values: Vec<_> = chunk
                        .iter()
                        .map(|(id, address, categories)| {
                            (
                                email_addresses::citizen_id.eq(*id),
                                email_addresses::address.eq(address.clone()),
                                email_addresses::categories.eq(categories.clone()),
                                email_addresses::unsubscribe_token.eq(format!("tok-{id}")),
                                email_addresses::confirmed_at.eq(now),
                                email_addresses::updated_at.eq(now),
                            )
                        })
                        .collect();
                    with_conn!(c, |c| diesel::insert_into(email_addresses::table)
                        .values(&values)
                        .execute(c))?;
                }
                Ok(())
            })
            .await
            .expect("citizens");
        ids
    }

    fn notice(&self, audience: &str) -> Notice {
        Notice {
            id: NoticeId::new(),
            agency_id: self.agency.id,
            audience: audience.to_owned(),
            rule_areas: String::new(),
            rule_born_from: None,
            rule_born_to: None,
            title: "住民税の督促について（山田様）".to_owned(),
            body: "納付期限を過ぎています。".to_owned(),
            lang: "ja".to_owned(),
            category: "tax".to_owned(),
            importance: "normal".to_owned(),
            deadline: None,
            action_url: None,
            action_label: None,
            expires_at: None,
            posted_at: now_millis(),
            corrected_at: None,
            withdrawn_at: None,
            recipients: None,
        }
    }

    /// Posts a notice as the posting service does: the row, its list (by pseudonyms) and a fan-out due now.
    async fn post(&self, notice: Notice, listed: &[CitizenId]) -> NoticeId {
        let id = notice.id;
        let agency = self.agency.clone();
        let listed = listed.to_vec();
        self.db()
            .run(move |c| {
                Notice::insert(c, &notice)?;
                if !listed.is_empty() {
                    let pairs: Vec<(&Agency, CitizenId)> =
                        listed.iter().map(|citizen| (&agency, *citizen)).collect();
                    portal_server::services::agencies::enrol(c, &pairs)?;
                    let pseudonyms: Vec<String> = listed
                        .iter()
                        .map(|citizen| {
                            portal_server::services::agencies::pseudonym(&agency, *citizen)
                        })
                        .collect();
                    Notice::add_listed(c, &notice, &pseudonyms, true)?;
                    Notice::set_recipients(c, notice.id, listed.len() as i64)?;
                }
                Fanout::start(c, notice.id, now_millis())
            })
            .await
            .expect("post notice");
        id
    }

    async fn mails(&self, notice: NoticeId) -> Vec<OutboxMail> {
        self.db()
            .run(move |c| {
                Ok(with_conn!(c, |c| mail_outbox::table
                    .filter(mail_outbox::notice_id.eq(notice))
                    .order(mail_outbox::citizen_id)
                    .select(OutboxMail::as_select())
                    .load(c))?)
            })
            .await
            .expect("mails")
    }

    async fn exec(&self, sql: String) {
        self.db()
            .run(move |c| {
                use diesel::connection::SimpleConnection;
                Ok(with_conn!(c, |c| c.batch_execute(&sql))?)
            })
            .await
            .expect("sql");
    }

    fn sender(&self, smtp: &SmtpServer) -> MailSender {
        MailSender::new(
            self.db().clone(),
            Mailer::smtp(&smtp.url()).expect("smtp"),
            "Mynaportal <no-reply@portal.example>"
                .parse()
                .expect("mailbox"),
            PUBLIC_URL,
        )
    }
}

fn person(name: &str, categories: Option<&'static str>) -> Person<'static> {
    // Leaked only to keep the fixtures short; a handful of bytes per test.
    let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
    Person {
        name,
        lang: "ja",
        municipality: "131016",
        birth_date: "1980-01-01",
        categories,
    }
}

fn opted_in(n: usize) -> Vec<Person<'static>> {
    (0..n)
        .map(|i| person(&format!("山田 花子{i}"), Some(",tax,health,")))
        .collect()
}

fn quick(rate_per_second: u32, retry: RetryPolicy) -> WorkerOptions {
    let mut options = WorkerOptions::new(rate_per_second, Duration::from_secs(5));
    options.retry = retry;
    options
}

fn no_stop() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    // Kept open for the test's lifetime: a dropped sender would read as a change.
    std::mem::forget(tx);
    rx
}

fn expected_ids(mails: &[OutboxMail]) -> BTreeSet<String> {
    mails
        .iter()
        .map(|m| format!("<{}@portal.example>", m.id))
        .collect()
}

/// (a) While the SMTP server is down, alerts stay queued with their attempts counted; once it is back,
/// every alert arrives exactly once.
#[actix_web::test]
async fn alerts_wait_for_the_smtp_server_and_then_arrive_exactly_once() {
    let world = World::new().await;
    let people = world.citizens(&opted_in(6)).await;
    let notice = world.post(world.notice(AUDIENCE_LIST), &people).await;
    let pass = fanout::run_due(world.db(), &FanoutOptions::new(7))
        .await
        .expect("fan-out");
    assert_eq!(pass.queued, 6);

    let mut smtp = SmtpServer::new("aiosmtpd.handlers.Mailbox");
    let sender = world.sender(&smtp);
    // Back-off long enough that the check "not due yet" below holds however slowly a loaded machine runs
    // the first batch.
    let retry = RetryPolicy {
        first_delay_ms: 2_000,
        max_delay_ms: 4_000,
        max_attempts: 10,
    };
    let options = quick(200, retry);
    let mut stop = no_stop();
    let before = now_millis();
    let outcome = work_batch(&sender, &options, &mut stop)
        .await
        .expect("batch");
    assert_eq!((outcome.claimed, outcome.retrying), (6, 6));
    for mail in world.mails(notice).await {
        assert_eq!(mail.status, status::QUEUED);
        assert_eq!(mail.attempts, 1);
        assert!(mail.claimed_until.is_none());
        assert!(mail.last_error.is_some());
        assert!(mail.next_attempt_at >= before + 2_000, "backed off");
    }
    // Not due yet: nothing is claimed.
    let outcome = work_batch(&sender, &options, &mut stop)
        .await
        .expect("batch");
    assert_eq!(outcome.claimed, 0);

    // A second attempt while still down counts too.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let outcome = work_batch(&sender, &options, &mut stop)
        .await
        .expect("batch");
    assert_eq!(outcome.retrying, 6);
    assert!(world.mails(notice).await.iter().all(|m| m.attempts == 2));
    assert!(smtp.messages().is_empty());

    smtp.start();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        work_batch(&sender, &options, &mut stop)
            .await
            .expect("batch");
        let mails = world.mails(notice).await;
        if mails.iter().all(|m| m.status == status::SENT) {
            break;
        }
        assert!(Instant::now() < deadline, "alerts not all sent: {mails:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // One more pass finds nothing left to send.
    let outcome = work_batch(&sender, &options, &mut stop)
        .await
        .expect("batch");
    assert_eq!(outcome.claimed, 0);

    let mails = world.mails(notice).await;
    let arrived = smtp.message_ids();
    assert_eq!(
        arrived.keys().cloned().collect::<BTreeSet<_>>(),
        expected_ids(&mails)
    );
    assert!(arrived.values().all(|n| *n == 1), "{arrived:?}");
    assert!(mails.iter().all(|m| m.attempts == 3 && m.sent_at.is_some()));
}

/// Runs `portal mail-worker` against the test database and SMTP server.
fn mail_worker(world: &World, smtp: &SmtpServer, data: &Path, rate: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("mail-worker")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &world.test_db.url)
        .env("PORTAL_DATA_DIR", data)
        .env("SMTP_URL", smtp.url())
        .env("PORTAL_PUBLIC_URL", PUBLIC_URL)
        .env("PORTAL_MAIL_RATE_PER_SECOND", rate)
        .env("PORTAL_MAIL_LEASE", "3")
        .env("PORTAL_LOG_FORMAT", "text")
        .env("PORTAL_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start portal mail-worker")
}

/// (b) A `portal mail-worker` SIGKILLed part-way through a batch loses nothing and duplicates nothing: once
/// its claims run out, a second worker sends the rest. The kill comes while the server, which has kept the
/// 15th message, has not yet answered its final dot: the case that used to be sent twice. The killed worker
/// had recorded the hand-over before writing the dot, so the second worker records that mail as sent
/// without sending it, and sends again only the claimed mails that were never handed over. Every
/// Message-ID arrives exactly once.
#[actix_web::test]
async fn a_killed_mail_worker_loses_no_mail_and_a_second_one_finishes() {
    const TOTAL: usize = 60;
    let world = World::new().await;
    let people = world.citizens(&opted_in(TOTAL)).await;
    // The worker process does the fan-out itself, as in production.
    let notice = world.post(world.notice(AUDIENCE_LIST), &people).await;
    let smtp = SmtpServer::started("handlers.SlowFifteenthReply");
    let data = tempfile::tempdir().expect("tempdir");

    let mut first = mail_worker(&world, &smtp, data.path(), "15");
    let deadline = Instant::now() + Duration::from_secs(60);
    while smtp.messages().len() < 15 {
        assert!(
            Instant::now() < deadline,
            "the first worker sent too little"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let mails = world.mails(notice).await;
    assert_eq!(mails.len(), TOTAL);
    assert_eq!(
        smtp.messages().len(),
        15,
        "killed mid-batch, waiting for a reply"
    );
    let in_flight: Vec<&OutboxMail> = mails
        .iter()
        .filter(|m| m.status == status::SENDING && m.handed_over_at.is_some())
        .collect();
    assert_eq!(in_flight.len(), 1, "handed over, unrecorded: {in_flight:?}");
    let in_flight = in_flight[0].id;
    assert!(
        mails
            .iter()
            .any(|m| m.status == status::SENDING && m.handed_over_at.is_none()),
        "the killed worker still held claims on mails it had not sent"
    );

    let mut second = mail_worker(&world, &smtp, data.path(), "50");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mails = world.mails(notice).await;
        if mails.iter().all(|m| m.status == status::SENT) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not all sent: {:?}",
            mails.iter().map(|m| &m.status).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // SIGTERM: the second worker stops gracefully.
    let pid = second.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = second.wait().expect("exit");
    assert!(exit.success(), "graceful stop exits 0: {exit:?}");

    let arrived = smtp.message_ids();
    let rows = world.mails(notice).await;
    let missing: Vec<&OutboxMail> = rows
        .iter()
        .filter(|m| !arrived.contains_key(&format!("<{}@portal.example>", m.id)))
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
    assert_eq!(arrived.len(), TOTAL, "only our mails arrived");
    let duplicates: usize = arrived.values().map(|n| n - 1).sum();
    assert_eq!(duplicates, 0, "no mail arrives twice: {arrived:?}");
    // Only the mail in flight was recorded without the server's reply, as of its hand-over.
    let unconfirmed: Vec<&OutboxMail> = rows.iter().filter(|m| m.last_error.is_some()).collect();
    assert_eq!(unconfirmed.len(), 1, "{unconfirmed:?}");
    assert_eq!(unconfirmed[0].id, in_flight);
    assert_eq!(unconfirmed[0].sent_at, unconfirmed[0].handed_over_at);
}

/// Queues `n` alerts (one notice, `n` opted-in citizens) and returns them.
async fn queued_alerts(world: &World, n: usize) -> Vec<OutboxMail> {
    let people = world.citizens(&opted_in(n)).await;
    let notice = world.post(world.notice(AUDIENCE_LIST), &people).await;
    let pass = fanout::run_due(world.db(), &FanoutOptions::new(7))
        .await
        .expect("fan-out");
    assert_eq!(pass.queued, n);
    world.mails(notice).await
}

/// Makes `mail` look like a killed worker's: claimed once, the claim run out a second ago, and handed over
/// at `handed_over_at` when given.
async fn abandoned(world: &World, mail: &OutboxMail, handed_over_at: Option<i64>) {
    let expired = now_millis() - 1000;
    let mark = handed_over_at.map_or("NULL".to_owned(), |at| at.to_string());
    world
        .exec(format!(
            "UPDATE mail_outbox SET status = 'sending', attempts = 1, claimed_until = {expired}, \
             handed_over_at = {mark} WHERE id = '{}'",
            mail.id
        ))
        .await;
}

async fn find(world: &World, id: MailId) -> OutboxMail {
    world
        .db()
        .run(move |c| OutboxMail::find(c, id))
        .await
        .expect("find")
        .expect("row")
}

/// (f) A worker that takes over a mail whose claim ran out and which carries a hand-over mark does not send
/// it: its previous worker had written the whole message and had only the final dot left. It records the
/// mail as sent at the time of the hand-over, noting that the server's reply never came.
#[actix_web::test]
async fn a_mail_taken_over_after_its_hand_over_is_recorded_sent_not_sent_again() {
    let world = World::new().await;
    let mail = queued_alerts(&world, 1).await.remove(0);
    let handed_over_at = now_millis() - 2000;
    abandoned(&world, &mail, Some(handed_over_at)).await;

    let smtp = SmtpServer::started("aiosmtpd.handlers.Mailbox");
    let outcome = work_batch(
        &world.sender(&smtp),
        &quick(100, RetryPolicy::default()),
        &mut no_stop(),
    )
    .await
    .expect("batch");
    assert_eq!(
        (outcome.claimed, outcome.sent, outcome.unconfirmed),
        (1, 1, 1)
    );
    let row = find(&world, mail.id).await;
    assert_eq!(row.status, status::SENT);
    assert_eq!(
        row.sent_at,
        Some(handed_over_at),
        "sent as of the hand-over"
    );
    assert_eq!(row.handed_over_at, Some(handed_over_at));
    assert!(row.claimed_until.is_none());
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("without the server's reply")),
        "{row:?}"
    );
    assert!(smtp.messages().is_empty(), "not delivered a second time");
}

/// (g) A mail whose claim ran out without a hand-over mark is sent again by the worker that takes it over:
/// its previous worker never wrote the final dot, so the server discarded what it had.
#[actix_web::test]
async fn a_mail_taken_over_before_its_hand_over_is_sent_again() {
    let world = World::new().await;
    let mail = queued_alerts(&world, 1).await.remove(0);
    abandoned(&world, &mail, None).await;

    let smtp = SmtpServer::started("aiosmtpd.handlers.Mailbox");
    let before = now_millis();
    let outcome = work_batch(
        &world.sender(&smtp),
        &quick(100, RetryPolicy::default()),
        &mut no_stop(),
    )
    .await
    .expect("batch");
    assert_eq!(
        (outcome.claimed, outcome.sent, outcome.unconfirmed),
        (1, 1, 0)
    );
    let row = find(&world, mail.id).await;
    assert_eq!((row.status.as_str(), row.attempts), (status::SENT, 2));
    let (handed_over_at, sent_at) = (
        row.handed_over_at.expect("handed over"),
        row.sent_at.expect("sent"),
    );
    assert!(
        before <= handed_over_at && handed_over_at <= sent_at,
        "{row:?}"
    );
    assert!(row.last_error.is_none());
    let arrived = smtp.message_ids();
    assert_eq!(arrived.len(), 1);
    assert_eq!(
        arrived.get(&format!("<{}@portal.example>", mail.id)),
        Some(&1)
    );
}

/// (h) When the server refuses a message at its final dot (4xx), the hand-over mark is cleared with the
/// failure, so the retry sends the mail again instead of taking it for sent.
#[actix_web::test]
async fn a_refusal_at_the_final_dot_clears_the_hand_over_for_the_retry() {
    let world = World::new().await;
    let mut rows = vec![OutboxMail::queued(
        purpose::CONFIRM_ADDRESS,
        "confirm:defer".to_owned(),
        "defer-me@example.jp".to_owned(),
        "en".to_owned(),
        r#"{"code":"135790"}"#.to_owned(),
        now_millis(),
    )];
    let id = rows[0].id;
    world
        .db()
        .run(move |c| OutboxMail::enqueue(c, &rows.split_off(0)))
        .await
        .expect("enqueue");
    let smtp = SmtpServer::started("handlers.RejectingMailbox");
    let outcome = work_batch(
        &world.sender(&smtp),
        &quick(100, RetryPolicy::default()),
        &mut no_stop(),
    )
    .await
    .expect("batch");
    assert_eq!(outcome.retrying, 1);
    let row = find(&world, id).await;
    assert_eq!(row.status, status::QUEUED);
    assert!(row.handed_over_at.is_none(), "{row:?}");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("451")),
        "{row:?}"
    );
    assert!(smtp.messages().is_empty());
}

/// (c) An alert names the agency and links to the inbox, and nothing else: no citizen's name, no notice
/// title; it carries a stable Message-ID and one-click unsubscribe headers (RFC 8058), in the citizen's
/// language.
#[actix_web::test]
async fn alerts_carry_no_personal_detail_and_offer_one_click_unsubscribe() {
    let world = World::new().await;
    let mut people = opted_in(1);
    people.push(Person {
        name: "John Smith",
        lang: "en",
        ..person("", Some(",tax,"))
    });
    let ids = world.citizens(&people).await;
    let notice = world.notice(AUDIENCE_LIST);
    let title = notice.title.clone();
    let notice = world.post(notice, &ids).await;
    fanout::run_due(world.db(), &FanoutOptions::new(7))
        .await
        .expect("fan-out");
    let smtp = SmtpServer::started("aiosmtpd.handlers.Mailbox");
    let outcome = work_batch(
        &world.sender(&smtp),
        &quick(100, RetryPolicy::default()),
        &mut no_stop(),
    )
    .await
    .expect("batch");
    assert_eq!(outcome.sent, 2);

    let mails: HashMap<String, OutboxMail> = world
        .mails(notice)
        .await
        .into_iter()
        .map(|m| (format!("<{}@portal.example>", m.id), m))
        .collect();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    for raw in &messages {
        let mail = mailparse::parse_mail(raw).expect("parse");
        let id = header(&mail, "Message-ID").expect("Message-ID");
        let row = &mails[&id];
        let token = format!("tok-{}", row.citizen_id.expect("citizen"));
        assert_eq!(
            header(&mail, "List-Unsubscribe").as_deref(),
            Some(format!("<{PUBLIC_URL}/unsubscribe/{token}>").as_str())
        );
        assert_eq!(
            header(&mail, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        let subject = header(&mail, "Subject").expect("subject");
        let (text, html) = (
            mail.subparts[0].get_body().expect("text part"),
            mail.subparts[1].get_body().expect("html part"),
        );
        assert_eq!(mail.subparts[0].ctype.mimetype, "text/plain");
        assert_eq!(mail.subparts[1].ctype.mimetype, "text/html");
        for part in [&subject, &text, &html] {
            assert!(!part.contains(&title), "title leaked: {part}");
            assert!(!part.contains("督促") && !part.contains("山田"), "{part}");
            assert!(!part.contains("John") && !part.contains("Smith"), "{part}");
        }
        for part in [&text, &html] {
            assert!(part.contains(&format!("{PUBLIC_URL}/notices")), "{part}");
            assert!(part.contains(&format!("{PUBLIC_URL}/unsubscribe/{token}")));
        }
        if row.lang == "en" {
            assert!(subject.contains(&world.agency.name_en), "{subject}");
            assert!(html.contains("lang=\"en\""));
        } else {
            assert!(subject.contains(&world.agency.name_ja), "{subject}");
            assert!(text.contains(&world.agency.name_ja));
            assert!(html.contains("lang=\"ja\""));
        }
    }
}

/// (d) A failed send backs off, doubling, and after the last attempt the mail fails; a permanent refusal
/// (SMTP 550) fails at once.
#[actix_web::test]
async fn failures_back_off_then_give_up_and_a_permanent_refusal_fails_at_once() {
    let world = World::new().await;
    let now = now_millis();
    let mut rows = vec![OutboxMail::queued(
        purpose::CONFIRM_ADDRESS,
        "confirm:down".to_owned(),
        "someone@example.jp".to_owned(),
        "ja".to_owned(),
        r#"{"code":"123456"}"#.to_owned(),
        now,
    )];
    let id = rows[0].id;
    world
        .db()
        .run(move |c| OutboxMail::enqueue(c, &rows.split_off(0)))
        .await
        .expect("enqueue");

    let mut smtp = SmtpServer::new("handlers.RejectingMailbox");
    let sender = world.sender(&smtp);
    let retry = RetryPolicy {
        first_delay_ms: 200,
        max_delay_ms: 800,
        max_attempts: 5,
    };
    let options = quick(100, retry);
    let find = |id: MailId| {
        let db = world.db().clone();
        async move {
            db.run(move |c| OutboxMail::find(c, id))
                .await
                .expect("find")
                .expect("row")
        }
    };
    let mut waits = Vec::new();
    for attempt in 1..=5 {
        // Wait until due, then one attempt.
        let due = find(id).await.next_attempt_at;
        let wait = u64::try_from(due - now_millis()).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait + 20)).await;
        let started = now_millis();
        let outcome = work_batch(&sender, &options, &mut no_stop())
            .await
            .expect("batch");
        assert_eq!(outcome.claimed, 1, "attempt {attempt}");
        let row = find(id).await;
        assert_eq!(row.attempts, attempt);
        if attempt < 5 {
            assert_eq!(row.status, status::QUEUED);
            waits.push(row.next_attempt_at - started);
        } else {
            assert_eq!(row.status, status::FAILED, "gave up after the last attempt");
            assert!(row.last_error.is_some());
        }
    }
    // 200 ms, doubling to 400 and 800, then capped at 800 (each plus the time its attempt took).
    for (wait, least) in waits.iter().zip([200, 400, 800, 800]) {
        assert!((least..least + 400).contains(wait), "{waits:?}");
    }

    // The server refuses one recipient for good (550): failed after one attempt; the other is delivered.
    smtp.start();
    let mut rows = vec![
        OutboxMail::queued(
            purpose::CONFIRM_ADDRESS,
            "confirm:reject".to_owned(),
            "reject-me@example.jp".to_owned(),
            "en".to_owned(),
            r#"{"code":"654321"}"#.to_owned(),
            now_millis(),
        ),
        OutboxMail::queued(
            purpose::CONFIRM_ADDRESS,
            "confirm:ok".to_owned(),
            "fine@example.jp".to_owned(),
            "en".to_owned(),
            r#"{"code":"111222"}"#.to_owned(),
            now_millis(),
        ),
    ];
    let (rejected, accepted) = (rows[0].id, rows[1].id);
    world
        .db()
        .run(move |c| OutboxMail::enqueue(c, &rows.split_off(0)))
        .await
        .expect("enqueue");
    let outcome = work_batch(&sender, &options, &mut no_stop())
        .await
        .expect("batch");
    assert_eq!((outcome.sent, outcome.failed), (1, 1));
    let row = find(rejected).await;
    assert_eq!((row.status.as_str(), row.attempts), (status::FAILED, 1));
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("550")),
        "{row:?}"
    );
    assert_eq!(find(accepted).await.status, status::SENT);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let mail = mailparse::parse_mail(&messages[0]).expect("parse");
    assert!(
        mail.subparts[0]
            .get_body()
            .expect("text")
            .contains("111222")
    );
    assert!(header(&mail, "List-Unsubscribe").is_none());
}

/// (e) The fan-out of a list notice and of a rule notice queues exactly the opted-in recipients; running it
/// again queues nothing more; the reminder goes once, only to alerted citizens who have not read the notice.
/// A withdrawn notice's claimed mail is cancelled, not sent.
#[actix_web::test]
async fn fan_out_queues_exactly_the_opted_in_recipients_once_and_reminds_the_unread() {
    let world = World::new().await;
    let people = vec![
        person("listed, tax", Some(",tax,")),
        person("listed, tax and health", Some(",health,tax,")),
        person("listed, health only", Some(",health,")),
        person("listed, no categories", Some("")),
        person("listed, no address", None),
        person("listed, tax 2", Some(",tax,")),
        person("listed, tax 3", Some(",pension,tax,")),
        person("not listed, tax", Some(",tax,")),
    ];
    let ids = world.citizens(&people).await;
    let list = world.post(world.notice(AUDIENCE_LIST), &ids[..7]).await;
    // Two citizens per chunk: the cursor moves several times.
    let options = FanoutOptions {
        chunk: 2,
        ..FanoutOptions::new(7)
    };
    let pass = fanout::run_due(world.db(), &options)
        .await
        .expect("fan-out");
    assert_eq!(pass.queued, 4);
    let alerted: BTreeSet<CitizenId> = [ids[0], ids[1], ids[5], ids[6]].into();
    let mails = world.mails(list).await;
    assert_eq!(
        mails
            .iter()
            .filter_map(|m| m.citizen_id)
            .collect::<BTreeSet<_>>(),
        alerted
    );
    for mail in &mails {
        let citizen = mail.citizen_id.expect("citizen");
        assert_eq!(mail.purpose, purpose::NOTICE_ALERT);
        assert_eq!(mail.dedupe_key, format!("notice_alert:{list}:{citizen}"));
        assert_eq!(mail.status, status::QUEUED);
        let params: serde_json::Value = serde_json::from_str(&mail.params).expect("json");
        assert_eq!(params["agency_ja"], world.agency.name_ja.as_str());
        assert_eq!(params["agency_en"], world.agency.name_en.as_str());
        assert_eq!(
            params["unsubscribe_token"],
            format!("tok-{citizen}").as_str()
        );
    }
    let row = world
        .db()
        .run(move |c| Fanout::find(c, list))
        .await
        .expect("fan-out row")
        .expect("waits for the reminder");
    assert_eq!(row.stage, STAGE_REMINDER);
    assert!(row.due_at >= now_millis() + 6 * 24 * 3600 * 1000);

    // Again: nothing is due; and a restarted alert stage adds nothing (dedupe keys).
    let pass = fanout::run_due(world.db(), &options).await.expect("again");
    assert_eq!(pass, fanout::FanoutPass::default());
    world
        .exec(format!(
            "UPDATE notice_fanouts SET stage = 'alert', cursor = '', due_at = 0 WHERE notice_id = '{list}'"
        ))
        .await;
    let pass = fanout::run_due(world.db(), &options).await.expect("redo");
    assert_eq!((pass.fanouts, pass.queued), (1, 0));
    assert_eq!(world.mails(list).await.len(), 4);

    // A rule notice: Chiyoda (131016), born in the 1980s.
    let rule_people = vec![
        person("rule, match", Some(",tax,")),
        person("rule, match, no tax", Some(",health,")),
        person("rule, match, no address", None),
        Person {
            municipality: "131024",
            ..person("rule, other town", Some(",tax,"))
        },
        Person {
            birth_date: "1979-12-31",
            ..person("rule, too old", Some(",tax,"))
        },
        Person {
            birth_date: "1989-12-31",
            ..person("rule, youngest match", Some(",tax,"))
        },
    ];
    // The earlier citizens live in Chiyoda and were born in 1980 too: they match as well.
    let rule_ids = world.citizens(&rule_people).await;
    let mut rule = world.notice(AUDIENCE_RULE);
    rule.rule_areas = "131016,131130".to_owned();
    rule.rule_born_from = Some("1980-01-01".to_owned());
    rule.rule_born_to = Some("1989-12-31".to_owned());
    let rule_notice = rule.clone();
    let rule_id = world.post(rule, &[]).await;
    fanout::run_due(world.db(), &options)
        .await
        .expect("rule fan-out");
    let expected: BTreeSet<CitizenId> = [
        ids[0],
        ids[1],
        ids[5],
        ids[6],
        ids[7],
        rule_ids[0],
        rule_ids[5],
    ]
    .into();
    let rule_mails = world.mails(rule_id).await;
    assert_eq!(rule_mails.len(), expected.len());
    assert_eq!(
        rule_mails
            .iter()
            .filter_map(|m| m.citizen_id)
            .collect::<BTreeSet<_>>(),
        expected
    );
    // Citizens matching the rule, address or not: the 8 first plus 4 of the rule's.
    let (recipients, check) = world
        .db()
        .run(move |c| {
            let notice = Notice::find(c, rule_id)?.expect("notice");
            let everyone: Vec<Citizen> =
                with_conn!(c, |c| portal_storage::schema::citizens::table
                    .select(Citizen::as_select())
                    .load(c))?;
            let matching = everyone
                .iter()
                .filter(|p| rule_notice.rule_matches(&p.municipality_code, &p.birth_date))
                .count() as i64;
            Ok((notice.recipients, matching))
        })
        .await
        .expect("recipients");
    assert_eq!(recipients, Some(check));
    assert_eq!(check, 12);

    // Reminder: of the list's alerted citizens, 0 and 1 got the alert, 5's is still queued, 6 got it but read
    // the notice. Only 0 and 1 are reminded.
    let sent: Vec<String> = [ids[0], ids[1], ids[6]]
        .iter()
        .map(|c| format!("'notice_alert:{list}:{c}'"))
        .collect();
    world
        .exec(format!(
            "UPDATE mail_outbox SET status = 'sent' WHERE dedupe_key IN ({})",
            sent.join(", ")
        ))
        .await;
    world
        .exec(format!(
            "UPDATE notice_recipients SET read_at = 1 WHERE notice_id = '{list}' AND citizen_id = '{}'",
            ids[6]
        ))
        .await;
    world
        .exec(format!(
            "UPDATE notice_fanouts SET due_at = 0 WHERE notice_id = '{list}'"
        ))
        .await;
    let pass = fanout::run_due(world.db(), &options)
        .await
        .expect("reminders");
    assert_eq!(pass.queued, 2);
    let reminders: BTreeSet<(CitizenId, String)> = world
        .mails(list)
        .await
        .into_iter()
        .filter(|m| m.purpose == purpose::NOTICE_REMINDER)
        .map(|m| (m.citizen_id.expect("citizen"), m.dedupe_key))
        .collect();
    assert_eq!(
        reminders,
        [ids[0], ids[1]]
            .iter()
            .map(|c| (*c, format!("notice_reminder:{list}:{c}")))
            .collect()
    );
    let gone = world
        .db()
        .run(move |c| Fanout::find(c, list))
        .await
        .expect("find");
    assert!(gone.is_none(), "the fan-out is over after the reminder");
    let pass = fanout::run_due(world.db(), &options).await.expect("after");
    assert_eq!(pass.queued, 0);

    // Withdrawn after queuing: the worker cancels instead of sending.
    world
        .exec(format!(
            "UPDATE notices SET withdrawn_at = 1 WHERE id = '{rule_id}'"
        ))
        .await;
    let smtp = SmtpServer::started("aiosmtpd.handlers.Mailbox");
    let sender = world.sender(&smtp);
    loop {
        let outcome = work_batch(&sender, &quick(500, RetryPolicy::default()), &mut no_stop())
            .await
            .expect("batch");
        if outcome.claimed == 0 {
            break;
        }
    }
    let counts = world
        .db()
        .run(move |c| OutboxMail::counts_for_notice(c, rule_id))
        .await
        .expect("counts");
    assert_eq!((counts.cancelled, counts.sent, counts.queued), (7, 0, 0));
    let counts = world
        .db()
        .run(move |c| OutboxMail::counts_for_notice(c, list))
        .await
        .expect("counts");
    // 3 marked sent by hand above, then 5's queued alert and the 2 reminders.
    assert_eq!((counts.sent, counts.cancelled, counts.queued), (6, 0, 0));
    let arrived = smtp.message_ids();
    assert_eq!(arrived.len(), 3);
    assert!(arrived.values().all(|n| *n == 1));
}

/// A large list (stored in chunks) alerts exactly the citizens it names who opted in, and reminds those of
/// them who have not read it.
#[actix_web::test]
async fn a_large_list_alerts_the_opted_in_citizens_it_names_and_reminds_the_unread() {
    let world = World::new().await;
    let people = vec![
        person("named, tax", Some(",tax,")),
        person("named, tax, reads it", Some(",tax,")),
        person("named, health only", Some(",health,")),
        person("named, tax 2", Some(",pension,tax,")),
        person("not named, tax", Some(",tax,")),
    ];
    let ids = world.citizens(&people).await;
    let list = world
        .post(world.notice(AUDIENCE_LARGE_LIST), &ids[..4])
        .await;
    let options = FanoutOptions {
        chunk: 2,
        ..FanoutOptions::new(7)
    };
    let pass = fanout::run_due(world.db(), &options)
        .await
        .expect("fan-out");
    assert_eq!(pass.queued, 3);
    let alerted: BTreeSet<CitizenId> = world
        .mails(list)
        .await
        .iter()
        .filter_map(|m| m.citizen_id)
        .collect();
    assert_eq!(alerted, [ids[0], ids[1], ids[3]].into());

    world
        .exec(format!(
            "UPDATE mail_outbox SET status = 'sent' WHERE notice_id = '{list}'"
        ))
        .await;
    let reader = ids[1];
    world
        .db()
        .run(move |c| portal_storage::models::inbox::mark_read(c, reader, list, now_millis(), None))
        .await
        .expect("read");
    world
        .exec(format!(
            "UPDATE notice_fanouts SET due_at = 0 WHERE notice_id = '{list}'"
        ))
        .await;
    let pass = fanout::run_due(world.db(), &options)
        .await
        .expect("reminders");
    assert_eq!(pass.queued, 2);
    let reminded: BTreeSet<CitizenId> = world
        .mails(list)
        .await
        .into_iter()
        .filter(|m| m.purpose == purpose::NOTICE_REMINDER)
        .filter_map(|m| m.citizen_id)
        .collect();
    assert_eq!(reminded, [ids[0], ids[3]].into());
}

/// Bulk enqueueing keeps up with a large fan-out: prints mails per second queued by the fan-out.
#[actix_web::test]
async fn fan_out_queues_thousands_of_mails_per_second() {
    const CITIZENS: usize = 20_000;
    let world = World::new().await;
    let people: Vec<Person<'static>> = (0..CITIZENS)
        .map(|_| Person {
            name: "x",
            lang: "ja",
            municipality: "131016",
            birth_date: "1980-01-01",
            categories: Some(",tax,"),
        })
        .collect();
    world.citizens(&people).await;
    world.post(world.notice(AUDIENCE_RULE), &[]).await;
    let started = Instant::now();
    let pass = fanout::run_due(world.db(), &FanoutOptions::new(7))
        .await
        .expect("fan-out");
    let elapsed = started.elapsed();
    assert_eq!(pass.queued, CITIZENS);
    let rate = CITIZENS as f64 / elapsed.as_secs_f64();
    eprintln!(
        "fan-out queued {CITIZENS} alerts in {:.0} ms: {rate:.0} mails/s ({})",
        elapsed.as_secs_f64() * 1000.0,
        world.db().backend().name()
    );
    assert!(rate >= 5000.0, "{rate:.0} mails/s");
}
