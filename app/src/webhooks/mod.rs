//! Webhooks out (module "API keys", admins only): subscriptions to events with a target URL
//! and a signing secret shown once; the consumer (`consumer`) queues each event as the API's
//! resource JSON in the generic HTTP outbox (`storage::http_outbox`), which the server's sender
//! delivers with signatures, retries and a dead state (`server/src/http_outbox`).

#[cfg(feature = "ssr")]
pub mod consumer;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::model::webhooks::*;

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
