//! お知らせ in the staff console (role `notices`): the agency's notices, posting one to its residents, one
//! notice's delivery (also as JSON for the page's script), and withdrawing it.

pub mod figures;
pub mod list;
pub mod new;
pub mod show;
pub mod withdraw;

use portal_storage::ids::NoticeId;

use crate::error::AppError;

/// The role these pages need.
const ROLE: &str = "notices";

fn notice_id(raw: &str) -> Result<NoticeId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}
