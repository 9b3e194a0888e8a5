//! Webhooks out (module "API keys", admins only): subscriptions to events with a target URL
//! and a signing secret shown once; the consumer (`consumer`) queues each event as the API's
//! resource JSON in the generic HTTP outbox (`storage::http_outbox`), which the server's sender
//! delivers with signatures, retries and a dead state (`server/src/http_outbox`).

#[cfg(feature = "ssr")]
pub mod consumer;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A subscription as the admin page lists it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WebhookRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// Comma-separated event names.
    pub events: String,
    pub enabled: bool,
    /// Why it is off (a 410 from the target, an admin).
    pub disabled_reason: Option<String>,
    pub last_success_at: Option<Timestamp>,
    pub last_failure_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Until when the rotated-out secret still signs.
    pub previous_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub pending: i64,
    pub dead: i64,
}

/// The form of a subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub name: String,
    pub url: String,
    /// Event names (`user.created`).
    pub events: Vec<String>,
}

/// A subscription just created (or its secret just rotated), with the secret: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSecret {
    pub id: i64,
    pub secret: String,
}

/// One delivery (a row of the HTTP outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DeliveryRow {
    pub id: i64,
    pub event_type: String,
    pub body: String,
    /// pending, delivered, dead
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[server(prefix = "/api", endpoint = "webhooks/list", input = Json)]
pub async fn list_webhooks() -> Result<Vec<WebhookRow>, AppError> {
    crate::auth::guard::respond(service::list_for_admin().await)
}

#[server(prefix = "/api", endpoint = "webhooks/create", input = Json)]
pub async fn create_webhook(form: WebhookForm) -> Result<WebhookSecret, AppError> {
    crate::auth::guard::respond(service::create_for_admin(form).await)
}

#[server(prefix = "/api", endpoint = "webhooks/update", input = Json)]
pub async fn update_webhook(id: i64, form: WebhookForm) -> Result<(), AppError> {
    crate::auth::guard::respond(service::update_for_admin(id, form).await)
}

#[server(prefix = "/api", endpoint = "webhooks/enable", input = Json)]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    crate::auth::guard::respond(service::set_enabled_for_admin(id, enabled).await)
}

#[server(prefix = "/api", endpoint = "webhooks/rotate", input = Json)]
pub async fn rotate_webhook_secret(id: i64) -> Result<WebhookSecret, AppError> {
    crate::auth::guard::respond(service::rotate_for_admin(id).await)
}

#[server(prefix = "/api", endpoint = "webhooks/delete", input = Json)]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    crate::auth::guard::respond(service::delete_for_admin(id).await)
}

#[server(prefix = "/api", endpoint = "webhooks/ping", input = Json)]
pub async fn ping_webhook(id: i64) -> Result<(), AppError> {
    crate::auth::guard::respond(service::ping_for_admin(id).await)
}

#[server(prefix = "/api", endpoint = "webhooks/deliveries", input = Json)]
pub async fn webhook_deliveries(id: i64) -> Result<Vec<DeliveryRow>, AppError> {
    crate::auth::guard::respond(service::deliveries_for_admin(id).await)
}

#[server(prefix = "/api", endpoint = "webhooks/redeliver", input = Json)]
pub async fn redeliver_webhook(id: i64, delivery: i64) -> Result<(), AppError> {
    crate::auth::guard::respond(service::redeliver_for_admin(id, delivery).await)
}
