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
}

#[derive(Clone, Copy)]
enum Scenario {
    Home,
    GraphqlService,
    /// A whole card sign-in: sign-in page (challenge) → card app fetches it → signs (RSA-2048) → posts the
    /// answer → the browser collects its session. Four requests and one signature per sign-in.
    SignIn,
}

impl Scenario {
    const ALL: [Scenario; 3] = [Scenario::Home, Scenario::GraphqlService, Scenario::SignIn];

    fn name(self) -> &'static str {
        match self {
            Scenario::Home => "GET / (home page)",
            Scenario::GraphqlService => "POST /graphql { service { name version languages } }",
            Scenario::SignIn => "card sign-in end to end (challenge, sign, answer, session)",
        }
    }

    fn request(self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        match self {
            Scenario::Home | Scenario::SignIn => client.get(format!("{base}/")),
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
}

impl RunResult {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (self.latencies.len() - 1) as f64).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)] as f64 / 1000.0
    }
}

/// Extracts the text between `marker` and the next `"` in `html`.
fn after<'a>(html: &'a str, marker: &str, len: Option<usize>) -> Option<&'a str> {
    let start = html.find(marker)? + marker.len();
    let rest = html.get(start..)?;
    let end = len.unwrap_or_else(|| rest.find('"').unwrap_or(rest.len()));
    rest.get(..end)
}

/// One card sign-in, as a browser and a card app would do it. Ok(true) when it ended on マイページ.
/// `browser` keeps cookies like the browser of one citizen signing in again and again; `app` is the card app.
async fn sign_in_once(
    base: &str,
    browser: &reqwest::Client,
    app: &reqwest::Client,
    card: &mut portal_card::SoftwareCard,
) -> anyhow::Result<bool> {
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
    let signature = card.sign_auth("1234", message.as_bytes())?;
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
        return Ok(false);
    }
    let done = browser
        .post(format!("{base}/sign-in/continue"))
        .form(&[("csrf_token", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await?;
    Ok(done
        .headers()
        .get("location")
        .is_some_and(|l| l == "/my-page"))
}

async fn run_once(
    scenario: Scenario,
    base: &str,
    concurrency: usize,
    duration: Duration,
    rate: Option<f64>,
    cards: &[std::sync::Arc<tokio::sync::Mutex<portal_card::SoftwareCard>>],
) -> anyhow::Result<RunResult> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let started = Instant::now();
    let deadline = started + duration;
    // Open loop: each client starts its requests on a fixed schedule, late or not, so queueing shows.
    let interval = rate.map(|r| Duration::from_secs_f64(concurrency as f64 / r));
    let mut tasks = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let (client, base) = (client.clone(), base.to_owned());
        let card = cards.get(worker % cards.len().max(1)).cloned();
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
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
                let ok = match scenario {
                    Scenario::SignIn => match &card {
                        Some(card) => {
                            sign_in_once(&base, &browser, &client, &mut *card.lock().await)
                                .await
                                .unwrap_or(false)
                        }
                        None => false,
                    },
                    _ => match scenario.request(&client, &base).send().await {
                        Ok(res) if res.status().is_success() => res.bytes().await.is_ok(),
                        _ => false,
                    },
                };
                if ok {
                    latencies.push(sent.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await?;
        latencies.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Ok(RunResult {
        requests: latencies.len(),
        errors,
        elapsed,
        latencies,
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

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (base, _dir, config) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None, None),
        None => {
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
        let wants_sign_in = args.only.as_deref().is_none_or(|only| Scenario::SignIn.name().contains(only));
        let cards = match (&config, wants_sign_in) {
            (Some(config), true) => {
                let started = Instant::now();
                let cards = issue_cards(config, args.cards.max(1)).await?;
                println!("issued {} software cards in {:.1} s", cards.len(), started.elapsed().as_secs_f64());
                cards
            }
            _ => Vec::new(),
        };

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
        for scenario in Scenario::ALL {
            if args.only.as_deref().is_some_and(|only| !scenario.name().contains(only)) {
                continue;
            }
            if matches!(scenario, Scenario::SignIn) && cards.is_empty() {
                println!("\n{}: skipped (needs the in-process server, which issues the cards)", scenario.name());
                continue;
            }
            println!("\n{}", scenario.name());
            // Warm-up: connections, caches, lazy statics.
            run_once(scenario, &base, args.concurrency, Duration::from_millis(500), args.rate, &cards).await?;
            let (mut rps, mut p50, mut p90, mut p99) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for run in 1..=args.runs {
                let result = run_once(scenario, &base, args.concurrency, Duration::from_secs_f64(args.seconds), args.rate, &cards)
                    .await
                    .with_context(|| format!("run {run}"))?;
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
                rps.push(result.rps());
                p50.push(result.percentile(50.0));
                p90.push(result.percentile(90.0));
                p99.push(result.percentile(99.0));
            }
            println!(
                "  median: {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms",
                median(rps),
                median(p50),
                median(p90),
                median(p99)
            );
        }
        Ok(())
    })
}
