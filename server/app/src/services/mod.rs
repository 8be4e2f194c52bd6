//! Services: what the portal does, apart from how requests arrive. Handlers validate and call these.

pub mod agencies;
pub mod application_review;
pub mod application_signing;
pub mod applications;
pub mod bank_account;
pub mod banks;
pub mod card_check;
pub mod cards;
pub mod catalogue;
pub mod csv;
pub mod demo;
pub mod email_address;
pub mod fanout;
pub mod feedback;
pub mod form_definitions;
pub mod history;
pub mod history_retention;
pub mod inbox;
pub mod my_data;
pub mod notices;
pub mod outbox;
pub mod payments;
pub mod prefill;
pub mod records;
pub mod seed;
pub mod sign_in;
