//! お知らせ: the inbox (and archive) with its filter, one notice, and moving a notice to the archive and back.

pub mod archive;
pub mod list;
pub mod show;

use portal_storage::ids::NoticeId;

use crate::error::AppError;

/// The notice named in the path; anything that is not a notice id is a page that does not exist.
fn notice_id(raw: &str) -> Result<NoticeId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}
