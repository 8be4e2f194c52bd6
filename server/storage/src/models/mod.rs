//! One module per entity: its row types and the queries on it.

pub mod feedback;
