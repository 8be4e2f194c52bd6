//! Outgoing mail through lettre: .eml files under `<data_dir>/outbox` by default (nothing to set up; the
//! operator or a test reads them back), SMTP when `SMTP_URL` is given.

use std::path::{Path, PathBuf};

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::error::AppError;

#[derive(Clone)]
pub enum Mailer {
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// A message ready to send: subject, plain text and HTML bodies, sent as multipart/alternative.
pub struct Mail {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| AppError::Startup(format!("SMTP_URL is unusable: {e}")))?
            .build();
        Ok(Mailer::Smtp(transport))
    }

    pub fn describe(&self) -> String {
        match self {
            Mailer::Files { dir, .. } => format!("files under {}", dir.display()),
            Mailer::Smtp(_) => "smtp".to_owned(),
        }
    }

    pub async fn send(&self, from: &Mailbox, mail: Mail) -> Result<(), AppError> {
        let message = Message::builder()
            .from(from.clone())
            .to(mail.to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .map_err(|e| AppError::Mail(e.to_string()))?;
        match self {
            Mailer::Files { transport, .. } => {
                let id = transport
                    .send(message)
                    .await
                    .map_err(|e| AppError::Mail(e.to_string()))?;
                tracing::info!(mail_id = %id, "mail written to the outbox");
            }
            Mailer::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .map_err(|e| AppError::Mail(e.to_string()))?;
                tracing::info!("mail handed to the SMTP server");
            }
        }
        Ok(())
    }
}
