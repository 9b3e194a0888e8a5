//! Webhooks as a consumer of domain events: each event a subscription listens to becomes one
//! row of the HTTP outbox per subscription, with the API's resource JSON as its payload,
//! written in the consumer's transaction (so an event is never lost and never queues twice).

use crate::domain::events::DomainEvent;
use crate::domain::webhooks::WebhookEvent;
use crate::domain::{EventId, Timestamp};
use crate::outbox::{Consumer, EventMeta};
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError, http_outbox::WEBHOOK};
use futures::future::BoxFuture;
use serde_json::{Value, json};

pub struct Webhooks;

impl Consumer for Webhooks {
    fn name(&self) -> &'static str {
        "webhooks"
    }

    fn kinds(&self) -> Option<&'static [&'static str]> {
        Some(crate::domain::webhooks::WebhookEvent::DOMAIN_KINDS)
    }

    /// With no subscription enabled, nobody is to hear of the batch.
    fn switched_on<'a>(&'a self, c: Conn<'a>) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move { Ok(!storage::webhooks::enabled_targets(c).await?.is_empty()) })
    }

    fn handle<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(handle(state, c, meta, event))
    }
}

/// The delivered JSON: `{id, type, occurred_at, data}`. `id` is stable across retries and
/// redeliveries (receivers deduplicate on it).
pub fn envelope(id: &str, kind: &str, at: Timestamp, data: Value) -> String {
    json!({ "id": id, "type": kind, "occurred_at": at.to_rfc3339(), "data": data }).to_string()
}

/// The delivery id of an event.
pub fn delivery_id(event: EventId) -> String {
    format!("evt_{}", event.0)
}

async fn handle(
    state: &AppState,
    mut c: Conn<'_>,
    meta: EventMeta,
    event: &DomainEvent,
) -> Result<(), StorageError> {
    let Some(kind) = WebhookEvent::of(event) else {
        return Ok(());
    };
    // A subscription hears of what happened after it was made, not of a backlog.
    let targets: Vec<_> = storage::webhooks::enabled_targets(c.re())
        .await?
        .into_iter()
        .filter(|t| t.created_at <= meta.occurred_at)
        .filter(|t| WebhookEvent::parse_list(&t.events).is_ok_and(|l| l.contains(&kind)))
        .collect();
    if targets.is_empty() {
        return Ok(());
    }
    let Some(data) = data_of(c.re(), event).await? else {
        return Ok(());
    };
    let id = delivery_id(meta.id);
    let body = envelope(&id, kind.as_str(), meta.occurred_at, data);
    for t in targets {
        storage::http_outbox::enqueue(
            c.re(),
            WEBHOOK,
            t.id,
            kind.as_str(),
            &id,
            &body,
            state.now(),
        )
        .await?;
    }
    Ok(())
}

/// The payload's `data`: the resource as the API returns it (people as `GET /users/{id}`),
/// read now; None when it is gone (nothing is sent then).
async fn data_of(mut c: Conn<'_>, event: &DomainEvent) -> Result<Option<Value>, StorageError> {
    Ok(match event {
        DomainEvent::UserRegistered { user_id, .. } | DomainEvent::UserEdited { user_id, .. } => {
            storage::users::get(c, *user_id).await?.map(|u| json!(u))
        }
        DomainEvent::AttemptFinished {
            attempt_id,
            user_id,
            certification_id,
            percent,
            passed,
            first_pass,
        } => {
            let user = storage::users::get(c, *user_id).await?;
            user.map(|u| {
                json!({
                    "attempt_id": attempt_id, "certification_id": certification_id,
                    "user_id": user_id, "external_id": u.external_id, "user": u,
                    "percent": percent, "passed": passed, "first_pass": first_pass,
                })
            })
        }
        DomainEvent::PointsPaid { user_id, delta, .. } => {
            let balance = storage::gamification::balance(c, *user_id).await?;
            Some(json!({ "user_id": user_id, "delta": delta, "balance": balance }))
        }
        DomainEvent::BadgeAwarded { user_id, badge_id } => {
            let badge = storage::gamification::badge(c, *badge_id).await?;
            badge.map(|b| json!({ "user_id": user_id, "badge": b }))
        }
        DomainEvent::CertificationOpened { certification_id } => {
            let Some(cert) = storage::certifications::get(c.re(), *certification_id).await? else {
                return Ok(None);
            };
            let questions = storage::certifications::question_count(c, cert.id).await?;
            let mut v = json!(cert);
            v["question_count"] = json!(questions);
            Some(v)
        }
        _ => None,
    })
}
