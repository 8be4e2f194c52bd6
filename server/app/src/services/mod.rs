//! Services: what the portal does, apart from how requests arrive. Handlers validate and call these.

pub mod agencies;
pub mod cards;
pub mod csv;
pub mod demo;
pub mod feedback;
pub mod history;
pub mod history_retention;
pub mod my_data;
pub mod records;
pub mod seed;
pub mod sign_in;
