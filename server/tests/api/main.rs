//! Integration tests: the real server on a random port against SQLite and PostgreSQL.
//! PostgreSQL tests need `TEST_POSTGRES_URL` (the test command starts a throwaway cluster).

mod helpers;

mod fake_bot;

mod gamification;
mod users;
mod webhooks;
mod xapi;

mod analytics;
mod audit;
mod auth_admin;
mod auth_telegram;
mod authoring;
mod bot_start;
mod compliance;
mod guard;
mod health;
mod instances;
mod integrity;
mod notifications;
mod outbox;
mod rest_api;
mod results;
mod scim;
mod scope;
mod storage;
mod taking;
mod uploads;
