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

#[server(prefix = "/api", endpoint = "webhooks/list", input = Json, output = crate::codec::Json)]
pub async fn list_webhooks() -> Result<Vec<WebhookRow>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::integrations_admin().await?;
            service::list(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/create", input = Json, output = crate::codec::Json)]
pub async fn create_webhook(form: WebhookForm) -> Result<WebhookSecret, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::create(&guard::state(), &actor.user, form, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/update", input = Json, output = crate::codec::Json)]
pub async fn update_webhook(id: i64, form: WebhookForm) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::update(
                &guard::state(),
                &actor.user,
                id,
                form,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/enable", input = Json, output = crate::codec::Json)]
pub async fn set_webhook_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::set_enabled(
                &guard::state(),
                &actor.user,
                id,
                enabled,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/rotate", input = Json, output = crate::codec::Json)]
pub async fn rotate_webhook_secret(id: i64) -> Result<WebhookSecret, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::rotate(&guard::state(), &actor.user, id, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/delete", input = Json, output = crate::codec::Json)]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::delete(&guard::state(), &actor.user, id, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/ping", input = Json, output = crate::codec::Json)]
pub async fn ping_webhook(id: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::ping(&guard::state(), &actor.user, id, &guard::origin("admin")).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/deliveries", input = Json, output = crate::codec::Json)]
pub async fn webhook_deliveries(id: i64) -> Result<Vec<DeliveryRow>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::integrations_admin().await?;
            service::deliveries(&guard::state(), id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "webhooks/redeliver", input = Json, output = crate::codec::Json)]
pub async fn redeliver_webhook(id: i64, delivery: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::redeliver(
                &guard::state(),
                &actor.user,
                id,
                delivery,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}
