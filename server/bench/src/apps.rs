//! Fixtures for the 自己情報取得API scenario: one registered app, and for each sampled citizen 20 health
//! check-up records and an access token obtained as a real app would (authorization request, consent, code
//! exchange with PKCE). Also counts the SQL statements the server runs, to report them per request.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use portal_server::config::Config;
use portal_server::services::{apps, oauth};
use portal_storage::ids::{CitizenId, RecordId};
use portal_storage::models::agency::Agency;
use portal_storage::models::record::Record;
use portal_storage::now_millis;

/// Records per citizen the scenario reads.
pub const RECORDS: usize = 20;
const REDIRECT: &str = "https://bench.example.jp/callback";

static STATEMENTS: AtomicU64 = AtomicU64::new(0);

struct CountStatements;

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Counts every SQL statement of connections opened from now on (call before the server starts).
pub fn count_statements() -> anyhow::Result<()> {
    diesel::connection::set_default_instrumentation(|| Some(Box::new(CountStatements)))
        .map_err(|e| anyhow::anyhow!("instrumentation: {e}"))
}

/// SQL statements run so far by this process.
pub fn statements() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

/// Gives each citizen 20 check-ups and returns an app access token for each.
pub async fn tokens(config: &Config, citizens: &[CitizenId]) -> anyhow::Result<Vec<String>> {
    let state = portal_server::startup::build_state(config.clone()).await?;
    let insurer = state
        .db
        .run(|c| Agency::find_by_code(c, "kyoukaikenpo"))
        .await?
        .context("the insurer is registered")?;
    let rows: Vec<Record> = citizens
        .iter()
        .flat_map(|citizen| {
            (0..RECORDS).map(move |i| Record {
                id: RecordId::new(),
                citizen_id: *citizen,
                agency_id: insurer.id,
                category: "health_checkups".to_owned(),
                external_id: format!("BENCH-HC-{citizen}-{i}"),
                data: serde_json::json!({
                    "checked_on": format!("{}-04-01", 2000 + i),
                    "bmi": "22.4", "blood_pressure": "118/76", "hba1c": "5.6",
                })
                .to_string(),
                updated_on: format!("{}-04-01", 2000 + i),
                published_at: now_millis(),
            })
        })
        .collect();
    state.db.run(move |c| Record::insert_bulk(c, &rows)).await?;
    let registered = apps::register(
        &state,
        apps::NewApp {
            name: "Benchmark PHR".to_owned(),
            operator: "Benchmark".to_owned(),
            purpose: "Measuring the API".to_owned(),
            scopes: vec!["health_checkups".to_owned()],
            redirect_uris: vec![REDIRECT.to_owned()],
            confidential: false,
        },
    )
    .await?
    .map_err(|refusal| anyhow::anyhow!("registering the app: {refusal:?}"))?;
    let app = registered.app;
    let verifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
    let challenge = URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(verifier));
    let mut tokens = Vec::with_capacity(citizens.len());
    for citizen in citizens {
        let params: Vec<(String, String)> = [
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("scope", "health_checkups"),
            ("state", "bench"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let request = oauth::check_authorize(&state, params)
            .await?
            .map_err(|p| anyhow::anyhow!("authorization request: {p:?}"))?;
        let location = oauth::approve(&state, *citizen, &request).await?;
        let code = url::Url::parse(&location)?
            .query_pairs()
            .find(|(n, _)| n == "code")
            .map(|(_, v)| v.into_owned())
            .context("a code")?;
        let issued =
            oauth::exchange_code(&state, &app, Some(&code), Some(REDIRECT), Some(verifier))
                .await?
                .map_err(|e| anyhow::anyhow!("token: {e:?}"))?;
        tokens.push(issued.access_token);
    }
    Ok(tokens)
}
