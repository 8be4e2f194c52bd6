//! 振込 (role `payments`): building a payment batch into a Zengin 総合振込 file with
//! [`crate::services::payments::batch`], its result, and the file. A batch reads accounts (each read is in
//! the citizen's history), so it is built once; the result and file are kept for [`KEPT`] in the key-value
//! store under a random id and the agency's id, so only the agency's staff can fetch them.

pub mod batch;
pub mod build;
pub mod file;
pub mod form;

use std::time::Duration;

use base64::Engine;
use portal_storage::ids::AgencyId;
use portal_storage::models::task;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::services::agencies::AgencyPrincipal;
use crate::services::payments;
use crate::state::AppState;

/// The role these pages need.
const ROLE: &str = "payments";
/// How long a built batch can be fetched.
const KEPT: Duration = Duration::from_secs(60 * 60);

/// A built batch as kept between building and downloading.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    task: String,
    transfer_date: String,
    payments: usize,
    total: u64,
    unknown: Vec<String>,
    without_account: Vec<String>,
    /// The transfer file, base64 (it is bytes, not text).
    file: String,
}

impl Kept {
    fn file_bytes(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.file)
            .ok()
    }
}

fn key(agency: AgencyId, id: &str) -> String {
    format!("staff-payment-batch:{agency}:{id}")
}

async fn keep(state: &AppState, agency: AgencyId, kept: &Kept) -> Result<String, AppError> {
    let id = crate::random::token(16);
    let json = serde_json::to_string(kept).map_err(|e| AppError::BadRequest(e.to_string()))?;
    state.kv.put(&key(agency, &id), &json, KEPT).await?;
    Ok(id)
}

/// The agency's batch `id`; `None` when it expired, never was, or is another agency's.
async fn kept(state: &AppState, agency: AgencyId, id: &str) -> Result<Option<Kept>, AppError> {
    // Ids are ours (URL-safe base64): anything else is not looked up.
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(None);
    }
    Ok(state
        .kv
        .get(&key(agency, id))
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// The payment tasks the agency performs.
fn tasks(principal: &AgencyPrincipal) -> Vec<&'static str> {
    task::TASKS
        .iter()
        .filter(|t| payments::payment_task(principal, t.code).is_ok())
        .map(|t| t.code)
        .collect()
}

/// A task in words.
fn task_name(lang: portal_web::Lang, code: &str) -> String {
    lang.get(&format!("task.{code}.name"))
        .unwrap_or(code)
        .to_owned()
}

const ACCOUNT_TYPES: [&str; 3] = ["ordinary", "current", "savings"];
