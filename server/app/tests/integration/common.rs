use std::path::PathBuf;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use portal_server::cards::{CardSource, CardTrust};
use portal_server::config::Config;
use portal_server::files::Files;
use portal_server::graphql::build_schema;
use portal_server::mail::Mailer;
use portal_server::services::history_queue::HistoryQueue;
use portal_server::state::AppState;
use portal_storage::{Db, Kv};
use portal_testkit::TestDb;

pub struct TestApp {
    pub url: String,
    /// Keeps cookies like a browser; never follows redirects, so tests see the 303s.
    pub client: reqwest::Client,
    pub state: AppState,
    pub outbox: PathBuf,
    _dirs: tempfile::TempDir,
    _test_db: Option<TestDb>,
    handle: ServerHandle,
}

#[derive(Default)]
pub struct Options {
    /// Use this database instead of a fresh one (e.g. one reached through a fault proxy).
    pub db: Option<Db>,
    pub kv: Option<Kv>,
    /// Send mail this way instead of to the test's outbox folder.
    pub mailer: Option<Mailer>,
    pub demo: bool,
    pub session_idle_timeout_secs: Option<u64>,
    /// Trust a configured CA and CRL instead of the test CA in the data folder.
    pub card_source: Option<CardSource>,
    /// API requests each app may make per minute.
    pub app_requests_per_minute: Option<i64>,
}

impl TestApp {
    pub async fn start() -> TestApp {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestApp {
        let dirs = tempfile::tempdir().expect("tempdir");
        let (db, test_db) = match options.db {
            Some(db) => (db, None),
            None => {
                let test_db = TestDb::new().await;
                (test_db.db.clone(), Some(test_db))
            }
        };
        let kv = options.kv.unwrap_or_else(|| Kv::Database(db.clone()));
        let config = Config {
            data_dir: dirs.path().to_owned(),
            demo: options.demo,
            session_idle_timeout_secs: options.session_idle_timeout_secs.unwrap_or(3600),
            app_requests_per_minute: options.app_requests_per_minute.unwrap_or(600),
            ..Config::default()
        };
        let outbox = config.outbox_dir();
        let state = AppState {
            mailer: match options.mailer {
                Some(mailer) => mailer,
                None => Mailer::files(&outbox).expect("outbox"),
            },
            mail_from: config.mail_from.parse().expect("mailbox"),
            feedback_to: config.feedback_to.parse().expect("mailbox"),
            config: Arc::new(config),
            db: db.clone(),
            kv,
            schema: build_schema(),
            cards: Arc::new(match options.card_source {
                Some(source) => CardTrust::open(source).await.expect("card trust"),
                None => CardTrust::open(CardSource::TestCa(dirs.path().join("card-ca")))
                    .await
                    .expect("card CA"),
            }),
            banks: Arc::default(),
            files: Files::on_disk(&dirs.path().join("files")).expect("files"),
            history: HistoryQueue::start(db.clone()),
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let server = portal_server::http_server(state.clone(), listener, 1, 0).expect("server");
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = reqwest::Client::builder()
            .cookie_store(true)
            // Below the server's 5 s keep-alive, so a pooled connection is never one the server is closing.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            url,
            client,
            state,
            outbox,
            _dirs: dirs,
            _test_db: test_db,
            handle,
        }
    }

    /// The portal's test card CA.
    pub fn ca_dir(&self) -> PathBuf {
        self.state.config.data_dir.join("card-ca")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (reqwest::StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// The CSRF token of the form on `path` (also sets the CSRF cookie, as a browser visit would).
    pub async fn csrf_token(&self, path: &str) -> String {
        let (_, body) = self.get_text(path).await;
        let marker = "name=\"csrf_token\" value=\"";
        let start = body.find(marker).expect("form has a csrf_token field") + marker.len();
        let end = body[start..].find('"').expect("closing quote") + start;
        body[start..end].to_owned()
    }

    /// Raw messages in the outbox, oldest first.
    pub fn mails(&self) -> Vec<Vec<u8>> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else {
            return Vec::new();
        };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .map(|p| std::fs::read(p).expect("read mail"))
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

/// The text of the first `<title>`.
pub fn title(html: &str) -> &str {
    let start = html.find("<title>").map_or(0, |i| i + "<title>".len());
    let end = html[start..]
        .find("</title>")
        .map_or(html.len(), |i| i + start);
    html[start..end].trim()
}
