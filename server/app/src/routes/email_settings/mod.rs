//! メールでのお知らせ通知 (`/settings/email`): the alert address, its confirmation code, the categories that
//! alert, and removal. Every page is for the signed-in citizen only.

pub mod address;
pub mod categories;
pub mod confirm;
pub mod overview;
pub mod remove;
pub mod resend;
