//! 連携中のサービス: the apps the citizen consented to, and revoking a consent.

pub mod list;
pub mod revoke;
