//! One module per entity: its row types and the queries on it.

pub mod agency;
pub mod app;
pub mod application;
pub mod bank;
pub mod bank_account;
pub mod benefit;
pub mod category;
pub mod citizen;
pub mod consent;
pub mod email_address;
pub mod fanout;
pub mod feedback;
pub mod inbox;
pub mod linkage;
pub mod notice;
pub mod outbox;
pub mod proxy;
pub mod record;
pub mod security_event;
pub mod staff;
pub mod task;
