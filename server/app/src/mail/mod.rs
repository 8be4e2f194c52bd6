//! Outgoing mail through lettre: .eml files under `<data_dir>/outbox` by default (nothing to set up; the
//! operator or a test reads them back), SMTP when `SMTP_URL` is given.
//!
//! Mail sent directly (feedback) goes through lettre's async transport. The outbox's workers drive the SMTP
//! exchange themselves with an [`SmtpSession`], which lets them record the hand-over of a message between
//! its last byte and the final dot that makes the server commit it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;

mod smtp;

pub use smtp::{Delivery, SmtpRelay, SmtpSession};

#[derive(Clone)]
pub enum Mailer {
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        relay: Arc<SmtpRelay>,
    },
}

/// A message ready to send: subject, plain text and HTML bodies, sent as multipart/alternative.
pub struct Mail {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a mail carries besides From, To and Subject.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    /// `<id@host>`; lettre makes one up when absent. A fixed one lets a receiver (and a test) recognise a
    /// resend of the same mail.
    pub message_id: Option<String>,
    /// Further headers, e.g. `List-Unsubscribe`; names must be ASCII without `:` or spaces.
    pub extra: Vec<(String, String)>,
}

/// Why a mail was not sent, as far as trying again goes.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Refused for good (an SMTP 5xx reply) or impossible to build: trying again cannot help.
    #[error("{0}")]
    Permanent(String),
    /// Anything else: the server unreachable, a 4xx reply, a time-out.
    #[error("{0}")]
    Transient(String),
}

impl Mailer {
    pub fn files(dir: &Path) -> Result<Mailer, AppError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::Startup(format!("cannot create {}: {e}", dir.display())))?;
        Ok(Mailer::Files {
            dir: dir.to_owned(),
            transport: AsyncFileTransport::new(dir),
        })
    }

    pub fn smtp(url: &str) -> Result<Mailer, AppError> {
        let unusable =
            |e: &dyn std::fmt::Display| AppError::Startup(format!("SMTP_URL is unusable: {e}"));
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| unusable(&e))?
            .build();
        let relay = SmtpRelay::from_url(url).map_err(|e| unusable(&e))?;
        Ok(Mailer::Smtp {
            transport,
            relay: Arc::new(relay),
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Files { dir, .. } => format!("files under {}", dir.display()),
            Mailer::Smtp { .. } => "smtp".to_owned(),
        }
    }

    /// An SMTP session for one batch of outbox mail, each read or write bounded by `timeout`; `None` when
    /// mail goes to files (a file is written whole or not at all, so it has nothing to hand over).
    pub fn session(&self, timeout: Duration) -> Option<SmtpSession> {
        match self {
            Mailer::Files { .. } => None,
            Mailer::Smtp { relay, .. } => Some(SmtpSession::new(relay.clone(), timeout)),
        }
    }

    /// Mail from the configuration: SMTP when `smtp_url` is set, else files under the data folder.
    pub fn for_config(config: &crate::config::Config) -> Result<Mailer, AppError> {
        match &config.smtp_url {
            Some(url) => Mailer::smtp(url),
            None => Mailer::files(&config.outbox_dir()),
        }
    }

    pub async fn send(&self, from: &Mailbox, mail: Mail) -> Result<(), AppError> {
        self.send_with(from, mail, &Headers::default())
            .await
            .map_err(|e| AppError::Mail(e.to_string()))
    }

    /// Sends `mail` with a chosen Message-ID and extra headers, telling a permanent refusal (retrying is
    /// pointless) from a transient failure.
    pub async fn send_with(
        &self,
        from: &Mailbox,
        mail: Mail,
        headers: &Headers,
    ) -> Result<(), SendError> {
        self.send_message(Self::message(from, mail, headers)?).await
    }

    /// Sends a built message through lettre's async transports.
    pub async fn send_message(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Files { transport, .. } => {
                let id = transport
                    .send(message)
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                tracing::info!(mail_id = %id, "mail written to the outbox");
            }
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map_err(|e| send_error(&e))?;
                tracing::debug!("mail handed to the SMTP server");
            }
        }
        Ok(())
    }

    /// The message for `mail` from `from`: multipart/alternative, with the chosen Message-ID and headers.
    pub fn message(from: &Mailbox, mail: Mail, headers: &Headers) -> Result<Message, SendError> {
        let mut builder = Message::builder()
            .from(from.clone())
            .to(mail.to)
            .subject(mail.subject);
        if let Some(id) = &headers.message_id {
            builder = builder.message_id(Some(id.clone()));
        }
        for (name, value) in &headers.extra {
            let name = HeaderName::new_from_ascii(name.clone())
                .map_err(|_| SendError::Permanent(format!("bad header name {name:?}")))?;
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| SendError::Permanent(e.to_string()))
    }
}

/// A 5xx reply is the server's final word on this mail (no such mailbox, refused); everything else (refused
/// connection, 4xx, time-out) may pass if tried later.
pub(crate) fn send_error(e: &lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Transient(e.to_string())
    }
}
