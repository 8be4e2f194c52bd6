//! The interface the card app talks to (JSON). Any card app that follows README's "Card sign-in protocol"
//! can sign in; the portal's own is `portal card sign`.

pub mod challenge;
pub mod response;
