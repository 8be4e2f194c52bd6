//! Configuration: defaults, then an optional TOML file, then environment variables. One table
//! ([`SETTINGS`]) defines every key, so `--help`, the README table and the validation cannot drift apart.
//! Any unknown key or malformed value stops the process with one line naming the key, the value and what
//! was expected.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The portal's settings after loading.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Where attachments are kept; `None` means `<data_dir>/files`.
    pub files_dir: Option<PathBuf>,
    /// `None` means the SQLite file `<data_dir>/portal.db`.
    pub database_url: Option<String>,
    pub database_pool_size: u32,
    pub redis_url: Option<String>,
    /// `None` means mail is written as .eml files under `<data_dir>/outbox`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub feedback_to: String,
    /// Empty means `http://<listen>`.
    pub public_url: String,
    pub log: String,
    pub log_format: LogFormat,
    pub workers: usize,
    pub shutdown_timeout_secs: u64,
    pub demo: bool,
    /// Sign-in challenges and card responses allowed per client address per minute (each).
    pub sign_in_limit_per_address: i64,
    /// Card responses allowed per certificate per 10 minutes.
    pub sign_in_limit_per_card: i64,
    /// Seconds without a request after which a session ends.
    pub session_idle_timeout_secs: u64,
    /// The authentication CA certificate (PEM or DER) card sign-ins are checked against; unset means the
    /// portal's own simulated test CA under `<data_dir>/card-ca`.
    pub card_trust_anchor: Option<PathBuf>,
    /// The CA's CRL: a file or an http(s) URL, fetched every minute. Required with `card_trust_anchor`.
    pub card_crl: Option<String>,
    /// Days やりとり履歴 rows are kept; older ones are removed by a daily job.
    pub linkage_retention_days: u32,
    /// Mail workers per process (`serve` and `mail-worker`); 0 for none.
    pub mail_workers: usize,
    /// Mails each worker sends per second at most.
    pub mail_rate_per_second: u32,
    /// Seconds a worker holds a claimed mail; a stopped worker's mails are taken by another after this.
    pub mail_lease_secs: u64,
    /// Days after posting when a notice still unread gets one reminder mail.
    pub notice_reminder_days: u32,
    /// API requests each private app may make per minute (all its citizens together).
    pub app_requests_per_minute: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            files_dir: None,
            database_url: None,
            database_pool_size: 10,
            redis_url: None,
            smtp_url: None,
            mail_from: "Mynaportal <no-reply@localhost>".to_owned(),
            feedback_to: "feedback@localhost".to_owned(),
            public_url: String::new(),
            log: "info".to_owned(),
            log_format: LogFormat::Json,
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            shutdown_timeout_secs: 30,
            demo: false,
            sign_in_limit_per_address: 30,
            sign_in_limit_per_card: 10,
            session_idle_timeout_secs: 3600,
            card_trust_anchor: None,
            card_crl: None,
            linkage_retention_days: LINKAGE_RETENTION_DEFAULT_DAYS,
            mail_workers: 1,
            mail_rate_per_second: 20,
            mail_lease_secs: 60,
            notice_reminder_days: 7,
            app_requests_per_minute: 600,
        }
    }
}

impl Config {
    /// The database URL in effect: the configured one, or the SQLite file under the data folder.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("portal.db").display()),
        }
    }

    /// The address users reach the portal at: the configured one, else `http://<listen>`.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.clone()
        }
    }

    /// Where card trust comes from; an error when only one of the two card settings is given.
    pub fn card_source(&self) -> Result<crate::cards::CardSource, &'static str> {
        match (&self.card_trust_anchor, &self.card_crl) {
            (None, None) => Ok(crate::cards::CardSource::TestCa(
                self.data_dir.join("card-ca"),
            )),
            (Some(anchor), Some(crl)) => Ok(crate::cards::CardSource::Configured {
                anchor: anchor.clone(),
                crl: crl.clone(),
            }),
            _ => Err(
                "card_trust_anchor and card_crl go together: set both, or neither for the test CA",
            ),
        }
    }

    /// Session lifetimes: the idle time-out is configurable; the warning comes 5 minutes before it (or at
    /// a fifth of it, for short time-outs), and no session outlives 12 hours.
    pub fn session_policy(&self) -> crate::auth::session::SessionPolicy {
        let idle = std::time::Duration::from_secs(self.session_idle_timeout_secs);
        let warn_before = std::time::Duration::from_secs(300).min(idle / 5);
        crate::auth::session::SessionPolicy {
            idle,
            warn_before,
            ..Default::default()
        }
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The folder attachments are kept in: the configured one, or `<data_dir>/files`.
    pub fn files_dir(&self) -> PathBuf {
        self.files_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("files"))
    }
}

/// One configuration key.
pub struct Setting {
    /// Key in the TOML file.
    pub key: &'static str,
    /// Environment variable.
    pub env: &'static str,
    pub default: &'static str,
    pub help: &'static str,
    apply: fn(&mut Config, &str) -> Result<(), &'static str>,
}

fn optional(value: &str) -> Option<String> {
    (!value.trim().is_empty()).then(|| value.trim().to_owned())
}

fn parse_bool(value: &str) -> Result<bool, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err("true or false"),
    }
}

fn looks_like_mailbox(value: &str) -> bool {
    value.parse::<lettre::message::Mailbox>().is_ok()
}

pub static SETTINGS: &[Setting] = &[
    Setting {
        key: "listen",
        env: "PORTAL_LISTEN",
        default: "127.0.0.1:8080",
        help: "address and port to serve HTTP on",
        apply: |c, v| {
            c.listen = v
                .trim()
                .parse()
                .map_err(|_| "an address and port such as 127.0.0.1:8080")?;
            Ok(())
        },
    },
    Setting {
        key: "data_dir",
        env: "PORTAL_DATA_DIR",
        default: "./data",
        help: "folder for the SQLite database, the mail outbox and attachments",
        apply: |c, v| {
            if v.trim().is_empty() {
                return Err("a folder path");
            }
            c.data_dir = PathBuf::from(v.trim());
            Ok(())
        },
    },
    Setting {
        key: "files_dir",
        env: "PORTAL_FILES_DIR",
        default: "<data_dir>/files",
        help: "folder for the files attached to applications (shared by every node of one portal)",
        apply: |c, v| {
            c.files_dir = optional(v).map(PathBuf::from);
            Ok(())
        },
    },
    Setting {
        key: "database_url",
        env: "DATABASE_URL",
        default: "sqlite://<data_dir>/portal.db",
        help: "postgres://user@host:port/db for PostgreSQL, or sqlite://<path>",
        apply: |c, v| {
            let v = v.trim();
            let ok = v.is_empty()
                || ((v.starts_with("postgres://") || v.starts_with("postgresql://"))
                    && v.len() > 13)
                || v.strip_prefix("sqlite://")
                    .or_else(|| v.strip_prefix("sqlite:"))
                    .is_some_and(|p| !p.is_empty());
            if !ok {
                return Err("postgres://user@host:port/database or sqlite://<path>");
            }
            c.database_url = optional(v);
            Ok(())
        },
    },
    Setting {
        key: "database_pool_size",
        env: "PORTAL_DATABASE_POOL_SIZE",
        default: "10",
        help: "database connections per process",
        apply: |c, v| {
            let n: u32 = v
                .trim()
                .parse()
                .map_err(|_| "a whole number from 1 to 500")?;
            if !(1..=500).contains(&n) {
                return Err("a whole number from 1 to 500");
            }
            c.database_pool_size = n;
            Ok(())
        },
    },
    Setting {
        key: "redis_url",
        env: "REDIS_URL",
        default: "(none: short-lived state in the database)",
        help: "redis://host:port for sessions, challenges and rate limits on many nodes",
        apply: |c, v| {
            let v = v.trim();
            if !(v.is_empty() || v.starts_with("redis://") || v.starts_with("rediss://")) {
                return Err("redis://host:port or rediss://host:port");
            }
            if !v.is_empty() && redis_url_is_malformed(v) {
                return Err("redis://host:port or rediss://host:port");
            }
            c.redis_url = optional(v);
            Ok(())
        },
    },
    Setting {
        key: "smtp_url",
        env: "SMTP_URL",
        default: "(none: mail written to <data_dir>/outbox)",
        help: "smtp://host:port (or smtps://user:pass@host) to send mail",
        apply: |c, v| {
            let v = v.trim();
            if !v.is_empty()
                && lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(v).is_err()
            {
                return Err(
                    "smtp://host:port, smtps://user:password@host or smtp://host:port?tls=required",
                );
            }
            c.smtp_url = optional(v);
            Ok(())
        },
    },
    Setting {
        key: "mail_from",
        env: "PORTAL_MAIL_FROM",
        default: "Mynaportal <no-reply@localhost>",
        help: "sender of the portal's mail",
        apply: |c, v| {
            if !looks_like_mailbox(v.trim()) {
                return Err("a mailbox such as Mynaportal <no-reply@example.jp>");
            }
            c.mail_from = v.trim().to_owned();
            Ok(())
        },
    },
    Setting {
        key: "feedback_to",
        env: "PORTAL_FEEDBACK_TO",
        default: "feedback@localhost",
        help: "where messages from the feedback form are sent",
        apply: |c, v| {
            if !looks_like_mailbox(v.trim()) {
                return Err("an e-mail address such as feedback@example.jp");
            }
            c.feedback_to = v.trim().to_owned();
            Ok(())
        },
    },
    Setting {
        key: "public_url",
        env: "PORTAL_PUBLIC_URL",
        default: "(http://<listen>)",
        help: "the address users reach the portal at: links in mail, QR codes, the signed sign-in message",
        apply: |c, v| {
            let url =
                url::Url::parse(v.trim()).map_err(|_| "an absolute http:// or https:// URL")?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err("an absolute http:// or https:// URL");
            }
            c.public_url = v.trim().trim_end_matches('/').to_owned();
            Ok(())
        },
    },
    Setting {
        key: "log",
        env: "PORTAL_LOG",
        default: "info",
        help: "log filter, e.g. info or portal_server=debug,info",
        apply: |c, v| {
            tracing_subscriber::EnvFilter::try_new(v.trim())
                .map_err(|_| "a log filter such as info or debug")?;
            c.log = v.trim().to_owned();
            Ok(())
        },
    },
    Setting {
        key: "log_format",
        env: "PORTAL_LOG_FORMAT",
        default: "json",
        help: "json (one object per line) or text",
        apply: |c, v| {
            c.log_format = match v.trim() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err("json or text"),
            };
            Ok(())
        },
    },
    Setting {
        key: "workers",
        env: "PORTAL_WORKERS",
        default: "(number of CPU cores)",
        help: "HTTP worker threads",
        apply: |c, v| {
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| "a whole number from 1 to 256")?;
            if !(1..=256).contains(&n) {
                return Err("a whole number from 1 to 256");
            }
            c.workers = n;
            Ok(())
        },
    },
    Setting {
        key: "shutdown_timeout",
        env: "PORTAL_SHUTDOWN_TIMEOUT",
        default: "30",
        help: "seconds to finish open requests after SIGTERM or Ctrl-C",
        apply: |c, v| {
            let n: u64 = v
                .trim()
                .parse()
                .map_err(|_| "a whole number of seconds from 0 to 3600")?;
            if n > 3600 {
                return Err("a whole number of seconds from 0 to 3600");
            }
            c.shutdown_timeout_secs = n;
            Ok(())
        },
    },
    Setting {
        key: "demo",
        env: "PORTAL_DEMO",
        default: "false",
        help: "demo mode: demo-only features (demo cards, demo data); never in production",
        apply: |c, v| {
            c.demo = parse_bool(v)?;
            Ok(())
        },
    },
    Setting {
        key: "sign_in_limit_per_address",
        env: "PORTAL_SIGN_IN_LIMIT_PER_ADDRESS",
        default: "30",
        help: "sign-in challenges, and card responses, per client address per minute",
        apply: |c, v| {
            c.sign_in_limit_per_address = parse_limit(v)?;
            Ok(())
        },
    },
    Setting {
        key: "sign_in_limit_per_card",
        env: "PORTAL_SIGN_IN_LIMIT_PER_CARD",
        default: "10",
        help: "card responses per certificate per 10 minutes",
        apply: |c, v| {
            c.sign_in_limit_per_card = parse_limit(v)?;
            Ok(())
        },
    },
    Setting {
        key: "session_idle_timeout",
        env: "PORTAL_SESSION_IDLE_TIMEOUT",
        default: "3600",
        help: "seconds without activity before a session ends (warned 5 minutes before)",
        apply: |c, v| {
            match v.trim().parse::<u64>() {
                Ok(n) if (10..=43_200).contains(&n) => c.session_idle_timeout_secs = n,
                _ => return Err("a whole number of seconds from 10 to 43200"),
            }
            Ok(())
        },
    },
    Setting {
        key: "card_trust_anchor",
        env: "PORTAL_CARD_TRUST_ANCHOR",
        default: "(none: the simulated test CA under <data_dir>/card-ca)",
        help: "authentication CA certificate (PEM or DER file) that card sign-ins must chain to",
        apply: |c, v| {
            c.card_trust_anchor = optional(v).map(PathBuf::from);
            Ok(())
        },
    },
    Setting {
        key: "card_crl",
        env: "PORTAL_CARD_CRL",
        default: "(none)",
        help: "that CA's CRL: a file path or an http(s) URL, re-read every minute",
        apply: |c, v| {
            c.card_crl = optional(v);
            Ok(())
        },
    },
    Setting {
        key: "linkage_retention_days",
        env: "PORTAL_LINKAGE_RETENTION_DAYS",
        default: "2557",
        help: "days the history of reads (やりとり履歴) is kept: 7 years, as Mynaportal keeps it",
        apply: |c, v| {
            match v.trim().parse::<u32>() {
                Ok(n) if (1..=36_500).contains(&n) => c.linkage_retention_days = n,
                _ => return Err("a whole number of days from 1 to 36500"),
            }
            Ok(())
        },
    },
    Setting {
        key: "mail_workers",
        env: "PORTAL_MAIL_WORKERS",
        default: "1",
        help: "mail workers per process (serve and mail-worker), each sending one mail at a time; 0 for none",
        apply: |c, v| {
            match v.trim().parse::<usize>() {
                Ok(n) if n <= 64 => c.mail_workers = n,
                _ => return Err("a whole number from 0 to 64"),
            }
            Ok(())
        },
    },
    Setting {
        key: "mail_rate_per_second",
        env: "PORTAL_MAIL_RATE_PER_SECOND",
        default: "20",
        help: "mails each mail worker sends per second at most",
        apply: |c, v| {
            match v.trim().parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => c.mail_rate_per_second = n,
                _ => return Err("a whole number from 1 to 10000"),
            }
            Ok(())
        },
    },
    Setting {
        key: "mail_lease",
        env: "PORTAL_MAIL_LEASE",
        default: "60",
        help: "seconds a mail worker holds the mail it sends; a stopped worker's mails go to another after this",
        apply: |c, v| {
            match v.trim().parse::<u64>() {
                Ok(n) if (2..=3600).contains(&n) => c.mail_lease_secs = n,
                _ => return Err("a whole number of seconds from 2 to 3600"),
            }
            Ok(())
        },
    },
    Setting {
        key: "notice_reminder_days",
        env: "PORTAL_NOTICE_REMINDER_DAYS",
        default: "7",
        help: "days after posting when a notice still unread gets one reminder mail",
        apply: |c, v| {
            match v.trim().parse::<u32>() {
                Ok(n) if (1..=365).contains(&n) => c.notice_reminder_days = n,
                _ => return Err("a whole number of days from 1 to 365"),
            }
            Ok(())
        },
    },
    Setting {
        key: "app_requests_per_minute",
        env: "PORTAL_APP_REQUESTS_PER_MINUTE",
        default: "600",
        help: "API requests each private app may make per minute; more are answered 429 with Retry-After",
        apply: |c, v| {
            c.app_requests_per_minute = parse_limit(v)?;
            Ok(())
        },
    },
];

/// 7 years of 365 days plus the leap days they can hold.
pub const LINKAGE_RETENTION_DEFAULT_DAYS: u32 = 7 * 365 + 2;

fn parse_limit(value: &str) -> Result<i64, &'static str> {
    match value.trim().parse::<i64>() {
        Ok(n) if (1..=1_000_000_000).contains(&n) => Ok(n),
        _ => Err("a whole number from 1 to 1000000000"),
    }
}

fn redis_url_is_malformed(url: &str) -> bool {
    redis::Client::open(url).is_err()
}

/// The environment variable that names the configuration file.
pub const CONFIG_FILE_ENV: &str = "PORTAL_CONFIG";

/// A configuration problem, rendered as the one line the process prints before exiting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown setting {name} in {origin}; known settings: {known}")]
    UnknownKey {
        name: String,
        origin: String,
        known: String,
    },
    #[error("{name}={value:?} in {origin}: expected {expected}")]
    Malformed {
        name: String,
        value: String,
        origin: String,
        expected: &'static str,
    },
    #[error("cannot read configuration file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("configuration file {path} is not valid TOML: {reason}")]
    NotToml { path: String, reason: String },
}

impl Config {
    /// Loads defaults, then `file` (if any), then the environment (`vars`, usually `std::env::vars()`).
    pub fn load(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = file {
            let display = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
                path: display.clone(),
                reason: e.to_string(),
            })?;
            config.apply_toml(&text, &display)?;
        }
        config.apply_env(vars)?;
        Ok(config)
    }

    fn apply_toml(&mut self, text: &str, path: &str) -> Result<(), ConfigError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ConfigError::NotToml {
                    path: path.to_owned(),
                    reason: e.message().replace('\n', " "),
                })?;
        for (key, value) in &table {
            let Some(setting) = SETTINGS.iter().find(|s| s.key == key) else {
                return Err(ConfigError::UnknownKey {
                    name: key.clone(),
                    origin: path.to_owned(),
                    known: SETTINGS
                        .iter()
                        .map(|s| s.key)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => {
                    return Err(ConfigError::Malformed {
                        name: key.clone(),
                        value: other.to_string(),
                        origin: path.to_owned(),
                        expected: "a string, number or boolean",
                    });
                }
            };
            (setting.apply)(self, &text).map_err(|expected| ConfigError::Malformed {
                name: key.clone(),
                value: text.clone(),
                origin: path.to_owned(),
                expected,
            })?;
        }
        Ok(())
    }

    fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (name, value) in vars {
            match SETTINGS.iter().find(|s| s.env == name) {
                Some(setting) => {
                    (setting.apply)(self, &value).map_err(|expected| ConfigError::Malformed {
                        name: name.clone(),
                        value: value.clone(),
                        origin: "the environment".to_owned(),
                        expected,
                    })?
                }
                // Our own prefix is reserved: a misspelt PORTAL_ variable is an error, not silently ignored.
                None if name.starts_with("PORTAL_") && name != CONFIG_FILE_ENV => {
                    return Err(ConfigError::UnknownKey {
                        name,
                        origin: "the environment".to_owned(),
                        known: SETTINGS
                            .iter()
                            .map(|s| s.env)
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
                None => {}
            }
        }
        Ok(())
    }
}

/// The settings table for `--help`.
pub fn help_table() -> String {
    let mut out = String::from(
        "Configuration (environment variable / key in the --config TOML file; default):\n",
    );
    for s in SETTINGS {
        out.push_str(&format!(
            "  {:<27} {:<19} {}\n  {:<27} {:<19} default: {}\n",
            s.env, s.key, s.help, "", "", s.default
        ));
    }
    out.push_str(&format!(
        "\nThe file is read from --config or {CONFIG_FILE_ENV}; environment variables override it.\n\
         Unknown keys, unknown PORTAL_* variables and malformed values stop the process with one line."
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_listen_on_loopback_8080_with_data_under_dot_data() {
        let config = Config::load(None, env(&[])).expect("defaults");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert_eq!(config.effective_database_url(), "sqlite://./data/portal.db");
        assert_eq!(config.outbox_dir(), PathBuf::from("./data/outbox"));
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("portal.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\nworkers = 3\ndemo = true\n",
        )
        .expect("write");
        let config = Config::load(
            Some(&path),
            env(&[("PORTAL_LISTEN", "127.0.0.1:9100"), ("HOME", "/root")]),
        )
        .expect("load");
        assert_eq!(config.listen.to_string(), "127.0.0.1:9100");
        assert_eq!(config.workers, 3);
        assert!(config.demo);
    }

    #[test]
    fn malformed_value_names_key_value_and_expectation() {
        let err =
            Config::load(None, env(&[("PORTAL_LISTEN", "localhost")])).expect_err("must fail");
        assert_eq!(
            err.to_string(),
            "PORTAL_LISTEN=\"localhost\" in the environment: expected an address and port such as 127.0.0.1:8080"
        );
        let err = Config::load(None, env(&[("DATABASE_URL", "mysql://x")])).expect_err("must fail");
        assert!(
            err.to_string()
                .starts_with("DATABASE_URL=\"mysql://x\" in the environment: expected postgres://")
        );
    }

    #[test]
    fn unknown_keys_are_refused_in_file_and_environment() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("portal.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:1\"\n").expect("write");
        let err = Config::load(Some(&path), env(&[])).expect_err("must fail");
        assert!(
            err.to_string().starts_with("unknown setting lisen in "),
            "{err}"
        );
        let err = Config::load(None, env(&[("PORTAL_LISEN", "x")])).expect_err("must fail");
        assert!(
            err.to_string()
                .starts_with("unknown setting PORTAL_LISEN in the environment"),
            "{err}"
        );
        // Variables outside our prefix are none of our business.
        assert!(Config::load(None, env(&[("PATH", "/bin")])).is_ok());
    }

    #[test]
    fn file_values_are_checked_like_environment_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("portal.toml");
        std::fs::write(&path, "workers = 0\n").expect("write");
        let err = Config::load(Some(&path), env(&[])).expect_err("must fail");
        assert!(err.to_string().starts_with("workers=\"0\" in "), "{err}");
        std::fs::write(&path, "listen = [1]\n").expect("write");
        let err = Config::load(Some(&path), env(&[])).expect_err("must fail");
        assert!(
            err.to_string()
                .contains("expected a string, number or boolean"),
            "{err}"
        );
        std::fs::write(&path, "listen = \n").expect("write");
        assert!(matches!(
            Config::load(Some(&path), env(&[])),
            Err(ConfigError::NotToml { .. })
        ));
    }

    #[test]
    fn every_setting_default_is_accepted_by_its_own_parser() {
        for s in SETTINGS {
            if s.default.starts_with('(') || s.default.contains('<') {
                continue;
            }
            let mut config = Config::default();
            assert!(
                (s.apply)(&mut config, s.default).is_ok(),
                "{} rejects its default {}",
                s.key,
                s.default
            );
        }
    }

    #[test]
    fn readme_table_lists_every_setting() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
                .expect("README.md");
        for s in SETTINGS {
            let row = format!("| `{}` | `{}` |", s.env, s.key);
            assert!(readme.contains(&row), "README's table lacks {row}");
        }
    }

    #[test]
    fn help_lists_every_setting() {
        let help = help_table();
        for s in SETTINGS {
            assert!(
                help.contains(s.env) && help.contains(s.key),
                "{} missing from --help",
                s.env
            );
        }
    }
}
