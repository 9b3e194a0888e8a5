//! Everything the server and the browser share: domain rules, translations, server functions
//! and components. Server-only parts (storage, services, guards) are behind the `ssr` feature.

#![recursion_limit = "256"]

pub mod admin;
pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod auth;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod certifications;
pub mod codec;
pub mod compliance;
pub mod csp;
pub mod csv;
pub mod dashboard;
pub mod dev;
pub mod dictionaries;
pub mod domain;
pub mod error;
pub mod export;
pub mod gamification;
#[cfg(feature = "ssr")]
pub mod group_commit;
pub mod i18n;
mod lazy_pages;
pub mod links;
pub mod miniapp;
pub mod model;
pub mod notifications;
#[cfg(feature = "ssr")]
pub mod outbox;
pub mod paging;
pub mod profile;
pub mod questions;
pub mod richtext;
mod root;
pub mod scim;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod shared_run;
pub mod taking;
pub mod team;
pub mod ui;
pub mod users;
pub mod webhooks;
pub mod xapi;

#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod storage;

pub use root::{App, shell};
