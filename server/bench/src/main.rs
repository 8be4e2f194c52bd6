//! Load benchmark. Starts the portal in-process (SQLite in a temporary folder) or targets `--url`, then
//! drives each scenario with a fixed number of concurrent keep-alive clients for a fixed time, several runs
//! in a row, and prints requests per second and latency percentiles per run and their medians.
//!
//!     cargo run --release -p portal-bench -- --runs 5 --seconds 5 --concurrency 32
//!
//! Traffic only ever goes to 127.0.0.1 (or the given URL) and stops by itself.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use portal_server::config::Config;

mod apps;
mod notices;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portal-bench",
    about = "Load benchmark for the portal: requests per second and latency percentiles"
)]
struct Args {
    /// Runs per scenario; medians are taken across runs.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// HTTP worker threads of the in-process server.
    #[arg(long, default_value_t = 1)]
    server_workers: usize,
    /// Benchmark a running portal instead of starting one.
    #[arg(long)]
    url: Option<String>,
    /// Only scenarios whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Database for the in-process server (default: SQLite in a temporary folder).
    #[arg(long)]
    database_url: Option<String>,
    /// Redis for the in-process server's sessions and challenges (default: the database).
    #[arg(long)]
    redis_url: Option<String>,
    /// Software cards to sign in with (one per client at least).
    #[arg(long, default_value_t = 64)]
    cards: usize,
    /// Open-loop mode: requests (sign-ins) per second across all clients, instead of as fast as possible.
    #[arg(long)]
    rate: Option<f64>,
    /// Synthetic citizens to seed (50 records each) for the own-data and agency-read scenarios.
    #[arg(long, default_value_t = 10_000)]
    citizens: u64,
    /// The database already holds `--citizens` citizens seeded with `portal seed --seed 1` (e.g. a million,
    /// seeded once beforehand): use them instead of seeding.
    #[arg(long)]
    seeded: bool,
    /// Notices to other citizens loaded before the last inbox scenario, so its ratios to the earlier ones
    /// (no notices; the citizens' own only) are from one run.
    #[arg(long, default_value_t = 1_000_000)]
    notices: u64,
}

/// The お知らせ write figures (outbox, lists, broadcasts), selected like a scenario by `--only`.
const NOTICE_WRITES: &str = "notices: outbox, list and broadcast writes";

#[derive(Clone, Copy)]
enum Scenario {
    Home,
    GraphqlService,
    /// A signed-in citizen's わたしの情報 category page (prescriptions, first page), each client a different
    /// seeded citizen.
    OwnData,
    /// An agency reading a citizen's records for a task through GraphQL; each read writes a history row.
    AgencyRead,
    /// A private app reading a citizen's 20 check-ups through GraphQL with its access token (token and
    /// scope checked, one page with its count, the read queued for やりとり履歴).
    AppRead,
    /// A whole card sign-in: sign-in page (challenge) → card app fetches it → signs (RSA-2048) → posts the
    /// answer → the browser collects its session. Four requests and one signature per sign-in.
    SignIn,
    /// A signed-in citizen's お知らせ inbox while the database holds no notices.
    Inbox,
    /// The same once each sampled citizen has notices of their own (five list notices, and the broadcasts
    /// to their municipality): the baseline the full database is compared with, same page, same rows.
    InboxOwn,
    /// The same inboxes after `--notices` notices to other citizens are loaded.
    InboxFull,
}

impl Scenario {
    const ALL: [Scenario; 9] = [
        Scenario::Home,
        Scenario::GraphqlService,
        Scenario::OwnData,
        Scenario::AgencyRead,
        Scenario::AppRead,
        Scenario::SignIn,
        Scenario::Inbox,
        Scenario::InboxOwn,
        Scenario::InboxFull,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Home => "GET / (home page)",
            Scenario::GraphqlService => "POST /graphql { service { name version languages } }",
            Scenario::OwnData => "GET /my-data/prescriptions (signed in, seeded citizens)",
            Scenario::AgencyRead => {
                "POST /graphql citizenRecords (agency read for a task, history row written)"
            }
            Scenario::AppRead => {
                "POST /graphql me { healthCheckups(first: 20) } (app token, scope check, history queued)"
            }
            Scenario::SignIn => "card sign-in end to end (challenge, sign, answer, session)",
            Scenario::Inbox => "GET /notices (signed in, no notices in the database)",
            Scenario::InboxOwn => "GET /notices (signed in, own notices only in the database)",
            Scenario::InboxFull => "GET /notices (signed in, own notices and --notices to others)",
        }
    }

    fn request(self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        match self {
            Scenario::Home
            | Scenario::SignIn
            | Scenario::OwnData
            | Scenario::AgencyRead
            | Scenario::AppRead
            | Scenario::Inbox
            | Scenario::InboxOwn
            | Scenario::InboxFull => client.get(format!("{base}/")),
            Scenario::GraphqlService => client
                .post(format!("{base}/graphql"))
                .json(&serde_json::json!({ "query": "{ service { name version languages { code name } } }" })),
        }
    }
}

struct RunResult {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    /// Sorted latencies in microseconds.
    latencies: Vec<u64>,
    /// Sorted latencies without the simulated card's own work (its RSA signature), which on a real phone or
    /// card reader happens on the citizen's device, not on the portal's machine. Equal to `latencies` for
    /// scenarios without a card.
    portal_latencies: Vec<u64>,
}

/// What the scenarios need besides the server: cards, signed-in sessions, an agency token and pseudonyms.
#[derive(Default)]
struct Fixtures {
    cards: Vec<std::sync::Arc<tokio::sync::Mutex<portal_card::SoftwareCard>>>,
    /// Session cookies of seeded citizens.
    sessions: Vec<String>,
    agency_token: String,
    /// The agency's pseudonyms for seeded citizens.
    pseudonyms: Vec<String>,
    /// The signed-in seeded citizens, by their index in the seed.
    citizens: Vec<u64>,
    /// An app's access tokens for some of those citizens.
    app_tokens: Vec<String>,
}

impl RunResult {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        percentile(&self.latencies, p)
    }
}

/// The `p`th percentile of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Extracts the text between `marker` and the next `"` in `html`.
fn after<'a>(html: &'a str, marker: &str, len: Option<usize>) -> Option<&'a str> {
    let start = html.find(marker)? + marker.len();
    let rest = html.get(start..)?;
    let end = len.unwrap_or_else(|| rest.find('"').unwrap_or(rest.len()));
    rest.get(..end)
}

/// One card sign-in, as a browser and a card app would do it. Ok(Some(time the card spent signing)) when it
/// ended on マイページ.
/// `browser` keeps cookies like the browser of one citizen signing in again and again; `app` is the card app.
async fn sign_in_once(
    base: &str,
    browser: &reqwest::Client,
    app: &reqwest::Client,
    card: &mut portal_card::SoftwareCard,
) -> anyhow::Result<Option<Duration>> {
    use base64::Engine;
    let page = browser
        .get(format!("{base}/sign-in"))
        .send()
        .await?
        .text()
        .await?;
    let code = after(&page, "/sign-in/qr/", Some(8))
        .context("no code on the sign-in page")?
        .to_owned();
    let csrf = after(&page, "name=\"csrf_token\" value=\"", None)
        .context("no csrf token")?
        .to_owned();
    let challenge: serde_json::Value = app
        .get(format!("{base}/card/challenge/{code}"))
        .send()
        .await?
        .json()
        .await?;
    let message = challenge["message"]
        .as_str()
        .context("no message")?
        .to_owned();
    let signing = Instant::now();
    let signature = card.sign_auth("1234", message.as_bytes())?;
    let card_time = signing.elapsed();
    let b64 = base64::engine::general_purpose::STANDARD;
    let answer = app
        .post(format!("{base}/card/response"))
        .json(&serde_json::json!({
            "code": code,
            "certificate": b64.encode(card.auth_certificate_der()),
            "signature": b64.encode(signature),
        }))
        .send()
        .await?;
    if !answer.status().is_success() {
        return Ok(None);
    }
    let done = browser
        .post(format!("{base}/sign-in/continue"))
        .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await?;
    Ok(done
        .headers()
        .get("location")
        .is_some_and(|l| l == "/my-page")
        .then_some(card_time))
}

async fn run_once(
    scenario: Scenario,
    base: &str,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
    fixtures: &std::sync::Arc<Fixtures>,
) -> anyhow::Result<RunResult> {
    // Redirects are not followed: a session that failed would otherwise count the sign-in page as a success.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let started = Instant::now();
    let deadline = started + duration;
    // Open loop: each client starts its requests on a fixed schedule, late or not, so queueing shows.
    let interval = rate.map(|r| Duration::from_secs_f64(concurrency as f64 / r));
    let mut tasks = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let (client, base) = (client.clone(), base.to_owned());
        let card = fixtures
            .cards
            .get(worker % fixtures.cards.len().max(1))
            .cloned();
        let fixtures = fixtures.clone();
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut portal_latencies = Vec::new();
            let mut errors = 0usize;
            // Each client walks its own slice of the seeded citizens.
            let mut turn = worker;
            let mut next = Instant::now()
                + interval.map_or(Duration::ZERO, |i| {
                    i.mul_f64(worker as f64 / concurrency as f64)
                });
            while Instant::now() < deadline {
                if let Some(interval) = interval {
                    tokio::time::sleep_until(next.into()).await;
                    next += interval;
                }
                let sent = Instant::now();
                turn += concurrency;
                let request = match scenario {
                    Scenario::OwnData | Scenario::Inbox | Scenario::InboxOwn | Scenario::InboxFull => fixtures.sessions.get(turn % fixtures.sessions.len().max(1)).map(|session| {
                        let path = if matches!(scenario, Scenario::OwnData) { "/my-data/prescriptions" } else { "/notices" };
                        client
                            .get(format!("{base}{path}"))
                            .header("cookie", format!("session={session}"))
                    }),
                    Scenario::AgencyRead => fixtures.pseudonyms.get(turn % fixtures.pseudonyms.len().max(1)).map(|p| {
                        client.post(format!("{base}/graphql")).bearer_auth(&fixtures.agency_token).json(&serde_json::json!({
                            "query": "query($c: String!) { citizenRecords(citizen: $c, task: \"high_cost_medical_care\", categories: [\"medical_expenses\"]) { linkageId records { updatedOn fields } } }",
                            "variables": {"c": p},
                        }))
                    }),
                    Scenario::AppRead => fixtures.app_tokens.get(turn % fixtures.app_tokens.len().max(1)).map(|token| {
                        client.post(format!("{base}/graphql")).bearer_auth(token).json(&serde_json::json!({
                            "query": "{ me { healthCheckups(first: 20) { totalCount edges { cursor node { updatedOn fields source { code name } } } pageInfo { hasNextPage endCursor } } } }",
                        }))
                    }),
                    _ => Some(scenario.request(&client, &base)),
                };
                let card_time = match (scenario, &card, request) {
                    (Scenario::SignIn, Some(card), _) => {
                        sign_in_once(&base, &browser, &client, &mut *card.lock().await)
                            .await
                            .ok()
                            .flatten()
                    }
                    (Scenario::SignIn, None, _) | (_, _, None) => None,
                    (_, _, Some(request)) => match request.send().await {
                        // A GraphQL error still answers 200: count it as an error.
                        Ok(res) if res.status().is_success() => res
                            .bytes()
                            .await
                            .ok()
                            .filter(|body| !body.starts_with(b"{\"data\":null"))
                            .map(|_| Duration::ZERO),
                        _ => None,
                    },
                };
                match card_time {
                    Some(card_time) => {
                        let total = sent.elapsed();
                        latencies.push(total.as_micros() as u64);
                        portal_latencies.push(total.saturating_sub(card_time).as_micros() as u64);
                    }
                    None => errors += 1,
                }
            }
            (latencies, portal_latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut portal_latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, p, e) = task.await?;
        latencies.extend(l);
        portal_latencies.extend(p);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    portal_latencies.sort_unstable();
    Ok(RunResult {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
        portal_latencies,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Starts the portal on an ephemeral port in a thread of its own, with a fresh SQLite database.
fn start_server(args: &Args) -> anyhow::Result<(String, tempfile::TempDir, Config)> {
    let dir = tempfile::tempdir()?;
    let workers = args.server_workers;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let config = Config {
        data_dir: dir.path().to_owned(),
        workers,
        database_url: args.database_url.clone(),
        redis_url: args.redis_url.clone(),
        public_url: url.clone(),
        // The load comes from one address and reuses a few cards: the limits would measure themselves.
        sign_in_limit_per_address: 1_000_000_000,
        sign_in_limit_per_card: 1_000_000_000,
        app_requests_per_minute: 1_000_000_000,
        ..Config::default()
    };
    let server_config = config.clone();
    std::thread::spawn(move || {
        let outcome = actix_web::rt::System::new().block_on(async move {
            let state = portal_server::startup::build_state(server_config).await?;
            portal_server::http_server(state, listener, workers, 0)?.await?;
            Ok::<(), anyhow::Error>(())
        });
        if let Err(e) = outcome {
            eprintln!("portal-bench: server stopped: {e}");
        }
    });
    Ok((url, dir, config))
}

/// Issues `count` software cards from the in-process server's CA and registers their holders.
async fn issue_cards(
    config: &Config,
    count: usize,
) -> anyhow::Result<Vec<std::sync::Arc<tokio::sync::Mutex<portal_card::SoftwareCard>>>> {
    let db = portal_server::startup::open_database(config).await?;
    let ca = config.data_dir.join("card-ca");
    let expiry = portal_server::japan_today().saturating_add(time::Duration::days(3000));
    let mut cards = Vec::with_capacity(count);
    for i in 0..count {
        let request = portal_server::services::cards::NewCard {
            holder: portal_card::Holder {
                name: format!("負荷 試験{i}"),
                name_kana: "フカ シケン".to_owned(),
                address: "東京都千代田区霞が関1-1-1".to_owned(),
                birth_date: time::macros::date!(1985 - 06 - 15),
                sex: portal_card::Sex::Female,
            },
            municipality_code: "131016".to_owned(),
            kind: portal_card::CardKind::Card,
            pin: "1234".to_owned(),
            password: "BENCH123".to_owned(),
            expiry,
        };
        let (card, _) = portal_server::services::cards::issue(&db, &ca, request).await?;
        cards.push(std::sync::Arc::new(tokio::sync::Mutex::new(card)));
    }
    Ok(cards)
}

/// Seeds citizens (unless `--seeded`), and signs a sample of them in and gives an agency client a token and
/// its pseudonyms for them.
async fn own_data_fixtures(
    config: &Config,
    base: &str,
    args: &Args,
) -> anyhow::Result<(Vec<String>, String, Vec<String>, Vec<u64>)> {
    use portal_server::services::{agencies, seed};
    use portal_storage::models::agency::Agency;

    let db = portal_server::startup::open_database(config).await?;
    if !args.seeded {
        let started = Instant::now();
        let plan = seed::Plan {
            citizens: args.citizens,
            records_per_citizen: 50,
            reads_per_citizen: 5,
            seed: 1,
        };
        let done = seed::run(&db, &plan, |_| {}).await?;
        println!(
            "seeded {} citizens with {} records in {:.1} s",
            done.citizens,
            done.records,
            started.elapsed().as_secs_f64()
        );
    }
    // A sample spread over the whole range, so the pages touch all of the index, not one corner.
    let sample: Vec<u64> = (0..1000u64)
        .map(|i| i * args.citizens.max(1) / 1000)
        .collect();
    let ids: Vec<_> = sample.iter().map(|&i| seed::citizen_id(1, i)).collect();
    let kv = match &config.redis_url {
        Some(url) => portal_storage::Kv::redis(url, "portal:")?,
        None => portal_storage::Kv::Database(db.clone()),
    };
    let sessions = portal_server::auth::session::Sessions::new(&kv, config.session_policy());
    let mut cookies = Vec::with_capacity(ids.len());
    for id in &ids {
        cookies.push(sessions.create(*id).await?);
    }
    let insurer = db
        .run(|c| Agency::find_by_code(c, "kyoukaikenpo"))
        .await?
        .context("the insurer is registered")?;
    let pseudonyms = ids
        .iter()
        .map(|id| agencies::pseudonym(&insurer, *id))
        .collect();
    let client = agencies::add_client(&db, "kyoukaikenpo", "benchmark").await?;
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
    let token = token["access_token"]
        .as_str()
        .context("an access token")?
        .to_owned();
    Ok((cookies, token, pseudonyms, sample))
}

/// Runs `scenario` `args.runs` times after a warm-up, printing each run and the medians; returns the median
/// p99 in milliseconds and the number of requests answered (warm-up included).
async fn measure(
    scenario: Scenario,
    base: &str,
    args: &Args,
    fixtures: &std::sync::Arc<Fixtures>,
) -> anyhow::Result<(f64, usize)> {
    // Warm-up: connections, caches, lazy statics.
    let warm = run_once(
        scenario,
        base,
        args.concurrency,
        Duration::from_millis(500),
        args.rate,
        fixtures,
    )
    .await?;
    let mut answered = warm.requests;
    let (mut rps, mut p50, mut p90, mut p99) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut portal_p50, mut portal_p99) = (Vec::new(), Vec::new());
    for run in 1..=args.runs {
        let result = run_once(
            scenario,
            base,
            args.concurrency,
            Duration::from_secs_f64(args.seconds),
            args.rate,
            fixtures,
        )
        .await
        .with_context(|| format!("run {run}"))?;
        answered += result.requests;
        println!(
            "  run {run}: {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  ({} requests, {} errors)",
            result.rps(),
            result.percentile(50.0),
            result.percentile(90.0),
            result.percentile(99.0),
            result.percentile(100.0),
            result.requests,
            result.errors
        );
        if matches!(scenario, Scenario::SignIn) {
            println!(
                "         without the card's signature:  p50 {:>6.2} ms  p99 {:>6.2} ms",
                percentile(&result.portal_latencies, 50.0),
                percentile(&result.portal_latencies, 99.0),
            );
        }
        portal_p50.push(percentile(&result.portal_latencies, 50.0));
        portal_p99.push(percentile(&result.portal_latencies, 99.0));
        rps.push(result.rps());
        p50.push(result.percentile(50.0));
        p90.push(result.percentile(90.0));
        p99.push(result.percentile(99.0));
    }
    let p99 = median(p99);
    println!(
        "  median: {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms",
        median(rps),
        median(p50),
        median(p90),
        p99
    );
    if matches!(scenario, Scenario::SignIn) {
        println!(
            "  median without the card's signature:  p50 {:>6.2} ms  p99 {:>6.2} ms",
            median(portal_p50),
            median(portal_p99)
        );
    }
    Ok((p99, answered))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (base, _dir, config) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None, None),
        None => {
            apps::count_statements()?;
            let (url, dir, config) = start_server(&args)?;
            (url, Some(dir), Some(config))
        }
    };
    // The load generator gets one thread; on a small machine it competes with the server for the cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let probe = reqwest::Client::new();
        let mut ready = false;
        for _ in 0..100 {
            if probe.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(ready, "the portal at {base} did not become healthy");
        let wants = |s: Scenario| args.only.as_deref().is_none_or(|only| s.name().contains(only));
        let mut fixtures = Fixtures::default();
        if let (Some(config), true) = (&config, wants(Scenario::SignIn)) {
            let started = Instant::now();
            fixtures.cards = issue_cards(config, args.cards.max(1)).await?;
            println!("issued {} software cards in {:.1} s", fixtures.cards.len(), started.elapsed().as_secs_f64());
        }
        if let (Some(config), true) = (&config, wants(Scenario::OwnData) || wants(Scenario::AgencyRead) || wants(Scenario::Inbox) || wants(Scenario::InboxFull)) {
            (fixtures.sessions, fixtures.agency_token, fixtures.pseudonyms, fixtures.citizens) =
                own_data_fixtures(config, &base, &args).await?;
        }
        if let (Some(config), true) = (&config, wants(Scenario::AppRead)) {
            if fixtures.citizens.is_empty() {
                (fixtures.sessions, fixtures.agency_token, fixtures.pseudonyms, fixtures.citizens) =
                    own_data_fixtures(config, &base, &args).await?;
            }
            let started = Instant::now();
            let ids: Vec<_> = fixtures.citizens.iter().take(200).map(|&i| portal_server::services::seed::citizen_id(1, i)).collect();
            fixtures.app_tokens = apps::tokens(config, &ids).await?;
            println!("gave {} citizens 20 check-ups each and an app's access token in {:.1} s", ids.len(), started.elapsed().as_secs_f64());
        }
        let fixtures = std::sync::Arc::new(fixtures);

        println!(
            "portal-bench: {} runs x {}s, {} clients{}, server workers {}, database {}, sessions in {}, target {base}",
            args.runs,
            args.seconds,
            args.concurrency,
            args.rate.map(|r| format!(" at {r}/s (open loop)")).unwrap_or_default(),
            if args.url.is_some() { "n/a".to_owned() } else { args.server_workers.to_string() },
            if args.database_url.is_some() { "PostgreSQL" } else { "SQLite" },
            if args.redis_url.is_some() { "Redis" } else { "the database" },
        );
        let (mut empty_inbox_p99, mut own_inbox_p99, mut full_inbox_p99) = (None, None, None);
        for scenario in Scenario::ALL {
            if args.only.as_deref().is_some_and(|only| !scenario.name().contains(only)) {
                continue;
            }
            let unprepared = match scenario {
                Scenario::SignIn => fixtures.cards.is_empty(),
                Scenario::AppRead => fixtures.app_tokens.is_empty(),
                Scenario::OwnData
                | Scenario::AgencyRead
                | Scenario::Inbox
                | Scenario::InboxOwn
                | Scenario::InboxFull => {
                    fixtures.sessions.is_empty()
                }
                _ => false,
            };
            if unprepared {
                println!("\n{}: skipped (needs the in-process server, which prepares its data)", scenario.name());
                continue;
            }
            if let (Scenario::InboxOwn, Some(config)) = (scenario, &config) {
                let took = notices::give_own(config, &fixtures.citizens).await?;
                println!("\ngave {} citizens their own notices in {:.1} s", fixtures.citizens.len(), took.as_secs_f64());
            }
            if let (Scenario::InboxFull, Some(config)) = (scenario, &config) {
                let took = notices::load(config, args.notices, args.citizens, &fixtures.citizens).await?;
                println!("\nloaded {} notices in {:.1} s", args.notices, took.as_secs_f64());
            }
            println!("\n{}", scenario.name());
            let statements_before = apps::statements();
            let (p99, answered) = measure(scenario, &base, &args, &fixtures).await?;
            if let (Scenario::AppRead, Some(config)) = (scenario, &config) {
                let statements = apps::statements() - statements_before;
                println!(
                    "  SQL statements per request: {:.2} ({statements} for {answered} requests; tokens and rate limits are in {})",
                    statements as f64 / answered.max(1) as f64,
                    if config.redis_url.is_some() { "Redis" } else { "the database, counted here" },
                );
                let db = portal_server::startup::open_database(config).await?;
                let started = Instant::now();
                let folded = portal_server::services::app_api::fold_history(&db).await?;
                let took = started.elapsed().as_secs_f64();
                println!(
                    "  history: folded {folded} queued reads into the chains in {took:.2} s ({:.0} reads/s)",
                    folded as f64 / took.max(1e-9)
                );
            }
            match scenario {
                Scenario::Inbox => empty_inbox_p99 = Some(p99),
                Scenario::InboxOwn => own_inbox_p99 = Some(p99),
                Scenario::InboxFull => {
                    full_inbox_p99 = Some(p99);
                    if let Some(own) = own_inbox_p99 {
                        println!("  p99 with {} notices to others / own notices only: {:.2}x", args.notices, p99 / own);
                    }
                    if let Some(empty) = empty_inbox_p99 {
                        println!("  p99 with {} notices to others / no notices at all: {:.2}x", args.notices, p99 / empty);
                    }
                }
                _ => {}
            }
        }
        if let (Some(config), true) = (&config, args.only.as_deref().is_none_or(|only| NOTICE_WRITES.contains(only))) {
            notices::write_figures(config, args.citizens).await?;
            // The lists just stored name everyone: each inbox now finds them in the citizen's bucket.
            if let Some(before) = full_inbox_p99 {
                println!("\n{} again, now that the lists above name every citizen too", Scenario::InboxFull.name());
                let (p99, _) = measure(Scenario::InboxFull, &base, &args, &fixtures).await?;
                println!("  p99 with those lists / without: {:.2}x", p99 / before);
            }
            notices::broadcast_figures(config, &base, args.citizens).await?;
        }
        Ok(())
    })
}
