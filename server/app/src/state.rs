use std::sync::Arc;

use lettre::message::Mailbox;
use portal_storage::{Db, Kv};

use crate::cards::CardTrust;
use crate::config::Config;
use crate::files::Files;
use crate::graphql::PortalSchema;
use crate::mail::Mailer;

/// Everything a request may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub kv: Kv,
    pub mailer: Mailer,
    pub mail_from: Mailbox,
    pub feedback_to: Mailbox,
    pub schema: PortalSchema,
    /// The card CA and CRL sign-ins are checked against.
    pub cards: Arc<CardTrust>,
    /// This process's copy of the Zengin bank table.
    pub banks: Arc<crate::services::banks::BankTable>,
    /// Where the files attached to applications are kept.
    pub files: Files,
    /// Commits the history rows of API reads, many reads to a write.
    pub history: crate::services::history_queue::HistoryQueue,
}

impl AppState {
    pub fn sessions(&self) -> crate::auth::session::Sessions<'_> {
        crate::auth::session::Sessions::new(&self.kv, self.config.session_policy())
    }
}
