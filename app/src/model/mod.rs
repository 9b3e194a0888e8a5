//! The shared types: what storage returns, and what services, server functions, views and
//! the REST API hand around. Below every feature (a feature re-exports its own types from
//! here), above `domain`: it imports only `domain`, `error`, `i18n`, `paging`, `settings` and
//! other leaf modules, never a feature or `storage`, so the storage layer can return these
//! types without depending on the features that use it. Compiled for the server and the
//! browser; the database and OpenAPI derives sit behind the `ssr` feature.

pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod compliance;
pub mod dashboard;
pub mod dictionaries;
pub mod gamification;
pub mod notifications;
pub mod profile;
pub mod taking;
pub mod team;
pub mod webhooks;
