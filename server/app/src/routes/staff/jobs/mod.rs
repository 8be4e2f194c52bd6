//! A job of the console, for any member of the agency's staff: its page, its progress as JSON (for the
//! page's script), and for an import in preview, starting or discarding it (the records role).

pub mod discard;
pub mod show;
pub mod start;
pub mod status;

use portal_storage::ids::StaffJobId;

use crate::error::AppError;

/// The job id in a path; anything else is a page that does not exist.
fn job_id(raw: &str) -> Result<StaffJobId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}
