//! The unsubscribe link in every alert (`/unsubscribe/<token>`): works without signing in, for the citizen
//! reading the mail and for their mail provider's one-click unsubscribe (RFC 8058).

pub mod page;
