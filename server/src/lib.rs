//! The server process: HTTP (pages, server functions, public routes), the Telegram bot and
//! background jobs. `main.rs` only parses the command line.

pub mod api;
pub mod audit_feed;
#[cfg(feature = "bench")]
pub mod bench;
pub mod bot;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod fake_telegram;
pub mod http_outbox;
pub mod jobs;
pub mod leader;
pub mod routes;
pub mod scim;
pub mod server_state;
pub mod startup;
pub mod telemetry;
pub mod xlsx;
