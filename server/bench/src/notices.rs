//! お知らせ figures that are not request loops: how fast the outbox takes mails, how fast a list of
//! pseudonyms is stored, how long a broadcast takes to post, and loading a million notices for the inbox
//! comparison (empty database vs full, in the same run).

use std::time::{Duration, Instant};

use anyhow::Context;
use portal_server::config::Config;
use portal_server::services::{agencies, seed};
use portal_storage::Db;
use portal_storage::ids::NoticeId;
use portal_storage::models::agency::Agency;
use portal_storage::models::notice::{AUDIENCE_LIST, AUDIENCE_RULE, Listed, Notice, list_audience};
use portal_storage::models::outbox::{OutboxMail, purpose};
use portal_storage::{now_millis, transaction};

use crate::median;

/// Mails per outbox run, and runs per figure.
const MAILS: usize = 100_000;
const RUNS: usize = 3;

fn notice(agency: portal_storage::ids::AgencyId, audience: &str, i: u64, now: i64) -> Notice {
    Notice {
        id: NoticeId::new(),
        agency_id: agency,
        audience: audience.to_owned(),
        rule_areas: String::new(),
        rule_born_from: None,
        rule_born_to: None,
        title: format!("負荷試験のお知らせ {i}"),
        body: "これは負荷試験のためのお知らせです。\n\n内容はありません。".to_owned(),
        lang: "ja".to_owned(),
        category: "other".to_owned(),
        importance: "normal".to_owned(),
        deadline: None,
        action_url: None,
        action_label: None,
        expires_at: None,
        posted_at: now - i64::try_from(i).unwrap_or(0),
        corrected_at: None,
        withdrawn_at: None,
        recipients: Some(1),
    }
}

/// Outbox accept rate: `MAILS` queued alerts in one call, due a year from now so the in-process workers
/// leave them alone (they stay in the benchmark's database).
async fn outbox_rate(db: &Db) -> anyhow::Result<f64> {
    let later = now_millis() + 365 * 24 * 3600 * 1000;
    let run = uuid_suffix();
    let rows: Vec<OutboxMail> = (0..MAILS)
        .map(|i| {
            let mut mail = OutboxMail::queued(
                purpose::NOTICE_ALERT,
                format!("bench:{run}:{i}"),
                format!("citizen{i}@example.jp"),
                "ja".to_owned(),
                r#"{"agency_ja":"負荷試験","agency_en":"Load test","unsubscribe_token":"x"}"#
                    .to_owned(),
                later,
            );
            mail.next_attempt_at = later;
            mail
        })
        .collect();
    let started = Instant::now();
    let added = db
        .run(move |c| transaction(c, |c| OutboxMail::enqueue(c, &rows)))
        .await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(added == MAILS, "queued {added} of {MAILS}");
    Ok(MAILS as f64 / elapsed.as_secs_f64())
}

/// A PostgreSQL checkpoint, when the benchmark's role may ask for one (SQLite has none to wait for).
async fn checkpoint(db: &Db) {
    let done = db
        .run(|c| match c {
            portal_storage::AnyConnection::Postgres(c) => {
                use diesel::RunQueryDsl;
                diesel::sql_query("CHECKPOINT").execute(c)?;
                Ok(())
            }
            portal_storage::AnyConnection::Sqlite(_) => Ok(()),
        })
        .await;
    if let Err(e) = done {
        eprintln!(
            "no checkpoint before the run ({e}); its figure may include earlier runs' writes"
        );
    }
}

fn uuid_suffix() -> String {
    NoticeId::new().to_string()
}

/// Stores a list notice to `pseudonyms` as the posting service does (insert, resolve the pseudonyms and
/// store the list in bulk), in the storage `audience` names; recipients per second.
async fn list_rate(
    db: &Db,
    agency: portal_storage::ids::AgencyId,
    pseudonyms: &[String],
    audience: &str,
) -> anyhow::Result<f64> {
    let pseudonyms = pseudonyms.to_vec();
    let n = pseudonyms.len();
    let row = notice(agency, audience, 0, now_millis());
    let started = Instant::now();
    let added = db
        .run(move |c| {
            transaction(c, |c| {
                Notice::insert(c, &row)?;
                Notice::add_listed(c, &row, &pseudonyms, true)
            })
        })
        .await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(added == n, "listed {added} of {n}");
    Ok(n as f64 / elapsed.as_secs_f64())
}

/// Prints how fast the outbox takes mails and a list is stored. `citizens` seeded with `--seed 1` are in
/// the database. Run after the inbox figures: it leaves six lists to everyone behind (three of each storage).
pub async fn write_figures(config: &Config, citizens: u64) -> anyhow::Result<()> {
    let db = portal_server::startup::open_database(config).await?;
    println!("\nお知らせ: writes ({} citizens in the database)", citizens);

    let mut rates = Vec::new();
    for run in 1..=RUNS {
        let rate = outbox_rate(&db).await?;
        println!("  outbox, run {run}: {rate:>10.0} mails/s accepted ({MAILS} in one call)");
        rates.push(rate);
    }
    println!("  outbox median: {:>10.0} mails/s", median(rates));

    let jps = db
        .run(|c| Agency::find_by_code(c, "jps"))
        .await?
        .context("the pension service is registered")?;
    let size = usize::try_from(citizens.min(1_000_000)).unwrap_or(1_000_000);
    let pseudonyms: Vec<String> = (0..size as u64)
        .map(|i| agencies::pseudonym(&jps, seed::citizen_id(1, i)))
        .collect();
    // As posted (a list this long is stored in chunks), and, in the same run, as a row per citizen: the
    // storage of short lists, for the ratio. Each run starts from a checkpoint, so the write-ahead log of the
    // runs before it is not flushed in its time.
    let (mut chunked, mut rows) = (Vec::new(), Vec::new());
    for (audience, rates, what) in [
        (list_audience(size), &mut chunked, "as posted"),
        (AUDIENCE_LIST, &mut rows, "a row per citizen"),
    ] {
        for run in 1..=RUNS {
            checkpoint(&db).await;
            let rate = list_rate(&db, jps.id, &pseudonyms, audience).await?;
            println!(
                "  list of {size} pseudonyms, run {run}: {rate:>10.0} recipients/s stored {what}"
            );
            rates.push(rate);
        }
    }
    let (chunked, rows) = (median(chunked), median(rows));
    println!(
        "  list median: {chunked:>10.0} recipients/s as posted, {rows:>10.0} a row per citizen ({:.2}x)",
        chunked / rows
    );
    Ok(())
}

/// Prints how long posting a broadcast to everyone takes over HTTP; leaves 200 such broadcasts behind.
pub async fn broadcast_figures(config: &Config, base: &str, citizens: u64) -> anyhow::Result<()> {
    let db = portal_server::startup::open_database(config).await?;
    let token = agency_token(&db, base, "mhlw").await?;
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    for i in 0..200 {
        let started = Instant::now();
        let answer: serde_json::Value = client
            .post(format!("{base}/graphql"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "query": "mutation($n: NoticeInput!) { postBroadcast(notice: $n, audience: {everyone: true}) { notice { id } } }",
                "variables": {"n": {"title": format!("全国のお知らせ {i}"), "body": "負荷試験", "category": "other"}},
            }))
            .send()
            .await?
            .json()
            .await?;
        latencies.push(started.elapsed());
        anyhow::ensure!(
            answer["data"]["postBroadcast"]["notice"]["id"].is_string(),
            "{answer}"
        );
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  broadcast to everyone ({citizens} citizens), 200 posts over HTTP: p50 {:.2} ms  p99 {:.2} ms",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() * 99 / 100]),
    );
    Ok(())
}

/// A token for a client of the agency `code`.
async fn agency_token(db: &Db, base: &str, code: &str) -> anyhow::Result<String> {
    let client = agencies::add_client(db, code, "benchmark").await?;
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
        ])
        .send()
        .await?
        .json()
        .await?;
    Ok(token["access_token"]
        .as_str()
        .context("an access token")?
        .to_owned())
}

/// The benchmark's database, and the agency whose notices it loads.
async fn pension_service(config: &Config) -> anyhow::Result<(Db, Agency)> {
    let db = portal_server::startup::open_database(config).await?;
    let jps = db
        .run(|c| Agency::find_by_code(c, "jps"))
        .await?
        .context("the pension service is registered")?;
    Ok((db, jps))
}

/// Notices and their list rows, in bulk, in one transaction.
async fn store(db: &Db, notices: Vec<Notice>, listed: Vec<Listed>) -> anyhow::Result<()> {
    db.run(move |c| {
        transaction(c, |c| {
            Notice::insert_bulk(c, &notices)?;
            Notice::list_bulk(c, &listed)
        })
    })
    .await?;
    Ok(())
}

/// Gives each of the `sample` seeded citizens five list notices of their own, and posts twenty broadcasts to
/// four municipalities: the inbox the two inbox scenarios compare. Returns the time it took.
pub async fn give_own(config: &Config, sample: &[u64]) -> anyhow::Result<Duration> {
    let (db, jps) = pension_service(config).await?;
    let started = Instant::now();
    let now = now_millis();
    let mut notices = Vec::new();
    let mut listed = Vec::new();
    for i in 0..20u64 {
        let mut rule = notice(jps.id, AUDIENCE_RULE, i, now);
        rule.rule_areas = ["011011", "131130", "271276", "401307"][(i % 4) as usize].to_owned();
        rule.recipients = None;
        notices.push(rule);
    }
    for (n, &index) in sample.iter().enumerate() {
        let citizen = seed::citizen_id(1, index);
        for k in 0..5u64 {
            let row = notice(jps.id, AUDIENCE_LIST, 20 + n as u64 * 5 + k, now);
            listed.push(Listed::new(citizen, row.id));
            notices.push(row);
        }
    }
    store(&db, notices, listed).await?;
    db.analyze().await?;
    Ok(started.elapsed())
}

/// Loads `count` list notices, each to one seeded citizen other than those in `sample` (spread over all the
/// others), as the database of a portal that has been posting for a while. Returns the time it took.
pub async fn load(
    config: &Config,
    count: u64,
    citizens: u64,
    sample: &[u64],
) -> anyhow::Result<Duration> {
    let (db, jps) = pension_service(config).await?;
    let sampled: std::collections::HashSet<u64> = sample.iter().copied().collect();
    let citizens = citizens.max(2);
    let started = Instant::now();
    let now = now_millis();
    let batch = 50_000u64;
    let mut done = 0u64;
    while done < count {
        let n = batch.min(count - done);
        let mut notices = Vec::with_capacity(n as usize);
        let mut listed = Vec::with_capacity(n as usize);
        for i in done..done + n {
            let row = notice(jps.id, AUDIENCE_LIST, 1_000_000 + i, now);
            // Spread over the seeded citizens with a stride coprime to any plausible count, skipping the
            // sampled ones (samples are at least two apart).
            let mut index = (i * 7_919) % citizens;
            if sampled.contains(&index) {
                index = (index + 1) % citizens;
            }
            listed.push(Listed::new(seed::citizen_id(1, index), row.id));
            notices.push(row);
        }
        store(&db, notices, listed).await?;
        done += n;
    }
    db.analyze().await?;
    Ok(started.elapsed())
}
