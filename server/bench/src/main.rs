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
}

#[derive(Clone, Copy)]
enum Scenario {
    Home,
    GraphqlService,
}

impl Scenario {
    const ALL: [Scenario; 2] = [Scenario::Home, Scenario::GraphqlService];

    fn name(self) -> &'static str {
        match self {
            Scenario::Home => "GET / (home page)",
            Scenario::GraphqlService => "POST /graphql { service { name version languages } }",
        }
    }

    fn request(self, client: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
        match self {
            Scenario::Home => client.get(format!("{base}/")),
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

async fn run_once(
    scenario: Scenario,
    base: &str,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<RunResult> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match scenario.request(&client, &base).send().await {
                    Ok(res) if res.status().is_success() => match res.bytes().await {
                        Ok(_) => latencies.push(sent.elapsed().as_micros() as u64),
                        Err(_) => errors += 1,
                    },
                    _ => errors += 1,
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
fn start_server(workers: usize) -> anyhow::Result<(String, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_owned(),
        workers,
        ..Config::default()
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        let outcome = actix_web::rt::System::new().block_on(async move {
            let state = portal_server::startup::build_state(config).await?;
            portal_server::http_server(state, listener, workers, 0)?.await?;
            Ok::<(), anyhow::Error>(())
        });
        if let Err(e) = outcome {
            eprintln!("portal-bench: server stopped: {e}");
        }
    });
    Ok((url, dir))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (base, _dir) = match &args.url {
        Some(url) => (url.trim_end_matches('/').to_owned(), None),
        None => {
            let (url, dir) = start_server(args.server_workers)?;
            (url, Some(dir))
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

        println!(
            "portal-bench: {} runs x {}s, {} clients, server workers {}, target {base}",
            args.runs,
            args.seconds,
            args.concurrency,
            if args.url.is_some() { "n/a".to_owned() } else { args.server_workers.to_string() }
        );
        for scenario in Scenario::ALL {
            if args.only.as_deref().is_some_and(|only| !scenario.name().contains(only)) {
                continue;
            }
            println!("\n{}", scenario.name());
            // Warm-up: connections, caches, lazy statics.
            run_once(scenario, &base, args.concurrency, Duration::from_millis(500)).await?;
            let (mut rps, mut p50, mut p90, mut p99) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for run in 1..=args.runs {
                let result = run_once(scenario, &base, args.concurrency, Duration::from_secs_f64(args.seconds))
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
