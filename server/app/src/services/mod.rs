//! Services: what the portal does, apart from how requests arrive. Handlers validate and call these.

pub mod cards;
pub mod demo;
pub mod feedback;
pub mod sign_in;
