//! One module per entity: its row types and the queries on it.

pub mod citizen;
pub mod feedback;
pub mod security_event;
