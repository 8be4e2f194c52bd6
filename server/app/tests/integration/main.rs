#![expect(
    clippy::expect_used,
    reason = "a test fails loudly at the first thing that goes wrong"
)]

//! One integration test binary. Each test starts the real app in-process on an ephemeral port with its own
//! fresh database (SQLite file, or a PostgreSQL schema when DATABASE_URL is set) and its own outbox.

mod account_pages;
mod accounts;
mod agency;
mod app_api;
mod apply;
mod apply_signing;
mod apps;
mod attachments;
mod benefits;
mod cli;
mod common;
mod email_address;
mod feedback;
mod graphql;
mod history;
mod mail;
mod my_data;
mod notice_api;
mod notices;
mod oauth;
mod ops;
mod outbox;
mod own_data;
mod pages;
mod proxies;
mod schema_sdl;
mod security;
mod seed;
mod services;
mod sessions;
mod sign_in;
mod staff;
mod staff_applications;
mod staff_records;
