//! Managing subscriptions (admins with the "API keys" module): create with a secret shown
//! once, edit, switch off and on, rotate the secret with an overlap, delete, send a test,
//! list deliveries and send one again. Every change is audited.

use super::consumer::envelope;
use super::{DeliveryRow, WebhookForm, WebhookRow, WebhookSecret};
use crate::auth::cookie::new_token;
use crate::domain::actor::audit_by;
use crate::domain::audit::{AuditAction, Origin};
use crate::domain::user::User;
use crate::domain::webhooks::{
    MAX_NAME_CHARS, MAX_URL_CHARS, ROTATION_OVERLAP_SECS, SECRET_PREFIX, TargetError, WebhookEvent,
    check_target,
};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, StorageError, http_outbox::WEBHOOK};
use serde_json::json;

/// Deliveries the page lists per subscription.
const DELIVERIES_SHOWN: i64 = 100;

/// The form, checked: name, target (https and public unless allowed), known events.
pub fn validate(
    form: &WebhookForm,
    allow_private: bool,
) -> AppResult<(String, String, Vec<WebhookEvent>)> {
    let name = form.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid("name", Msg::ErrWebhookName));
    }
    if form.url.chars().count() > MAX_URL_CHARS {
        return Err(AppError::invalid("url", Msg::ErrWebhookUrl));
    }
    let url = check_target(&form.url, allow_private).map_err(|e| match e {
        TargetError::PrivateAddress => AppError::invalid("url", Msg::ErrWebhookUrlPrivate),
        _ => AppError::invalid("url", Msg::ErrWebhookUrl),
    })?;
    let events = WebhookEvent::parse_list(&form.events.join(","))
        .map_err(|_| AppError::invalid("events", Msg::ErrWebhookEvents))?;
    Ok((name, url.to_string(), events))
}

fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", new_token())
}

fn audit(
    by: &User,
    id: i64,
    change: &str,
    details: serde_json::Value,
    origin: &Origin,
    state: &AppState,
) -> crate::domain::audit::AuditEntry {
    let mut details = details;
    details["change"] = json!(change);
    audit_by(
        by,
        AuditAction::WebhookChanged,
        "webhook",
        id,
        details,
        origin,
        state.now(),
    )
}

/// The subscriptions, their URLs without secrets (user-info and query values hidden: they
/// often carry the target's token).
pub async fn list(state: &AppState) -> AppResult<Vec<WebhookRow>> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let mut rows = storage::webhooks::list(c.conn())
        .await
        .map_err(AppError::from)?;
    for r in &mut rows {
        if let Some(shown) = storage::audit::redact_url(&r.url) {
            r.url = shown;
        }
    }
    Ok(rows)
}

pub async fn create(
    state: &AppState,
    by: &User,
    form: WebhookForm,
    origin: &Origin,
) -> AppResult<WebhookSecret> {
    let (name, url, events) = validate(&form, state.config.outbox_allow_private)?;
    let secret = new_secret();
    let events = WebhookEvent::list_to_string(&events);
    let id: Result<i64, StorageError> = async {
        let mut tx = state.db.begin().await?;
        let id = storage::webhooks::insert(
            tx.conn(),
            &storage::webhooks::NewSubscription {
                name: &name,
                url: &url,
                events: &events,
                secret: &secret,
                created_by: Some(by.id),
            },
            state.now(),
        )
        .await?;
        let details = json!({ "name": name, "url": url, "events": events });
        storage::audit::record(tx.conn(), &audit(by, id, "created", details, origin, state))
            .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    Ok(WebhookSecret {
        id: id.map_err(AppError::from)?,
        secret,
    })
}

/// Runs `change` on an existing subscription in a transaction with its audit entry.
async fn change<F>(
    state: &AppState,
    by: &User,
    id: i64,
    what: &str,
    origin: &Origin,
    f: F,
) -> AppResult<()>
where
    F: for<'c> FnOnce(
        storage::Conn<'c>,
        &'c WebhookRow,
    ) -> futures::future::BoxFuture<'c, AppResult<serde_json::Value>>,
{
    async {
        let mut tx = state.db.begin().await?;
        let Some(row) = storage::webhooks::get(tx.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        let details = f(tx.conn(), &row).await?;
        storage::audit::record(tx.conn(), &audit(by, id, what, details, origin, state)).await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn update(
    state: &AppState,
    by: &User,
    id: i64,
    mut form: WebhookForm,
    origin: &Origin,
) -> AppResult<()> {
    // The form shows the URL without its secrets: sent back unchanged, it keeps the stored one.
    let stored = {
        let mut c = state.db.read().await.map_err(AppError::from)?;
        storage::webhooks::get(c.conn(), id)
            .await
            .map_err(AppError::from)?
    };
    if let Some(s) = stored
        && storage::audit::redact_url(&s.url).as_deref() == Some(form.url.trim())
    {
        form.url = s.url;
    }
    let (name, url, events) = validate(&form, state.config.outbox_allow_private)?;
    let events = WebhookEvent::list_to_string(&events);
    let now = state.now();
    change(state, by, id, "updated", origin, move |c, _| {
        Box::pin(async move {
            storage::webhooks::update(c, id, &name, &url, &events, now).await?;
            Ok(json!({ "name": name, "url": url, "events": events }))
        })
    })
    .await
}

pub async fn set_enabled(
    state: &AppState,
    by: &User,
    id: i64,
    enabled: bool,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    let what = if enabled { "enabled" } else { "disabled" };
    change(state, by, id, what, origin, move |mut c, _| {
        Box::pin(async move {
            let reason = (!enabled).then_some("switched off by an admin");
            storage::webhooks::set_enabled(c.re(), id, enabled, reason, now).await?;
            if !enabled {
                storage::http_outbox::kill_pending(c, WEBHOOK, id, "subscription off", now).await?;
            }
            Ok(json!({}))
        })
    })
    .await
}

pub async fn rotate(
    state: &AppState,
    by: &User,
    id: i64,
    origin: &Origin,
) -> AppResult<WebhookSecret> {
    let now = state.now();
    let secret = new_secret();
    let until = crate::domain::Timestamp(now.0 + ROTATION_OVERLAP_SECS * 1000);
    let new = secret.clone();
    change(state, by, id, "secret_rotated", origin, move |c, _| {
        Box::pin(async move {
            storage::webhooks::rotate(c, id, &new, until, now).await?;
            Ok(json!({ "previous_until": until }))
        })
    })
    .await?;
    Ok(WebhookSecret { id, secret })
}

pub async fn delete(state: &AppState, by: &User, id: i64, origin: &Origin) -> AppResult<()> {
    change(state, by, id, "deleted", origin, move |c, row| {
        Box::pin(async move {
            storage::webhooks::delete(c, id).await?;
            Ok(json!({ "name": row.name, "url": row.url }))
        })
    })
    .await
}

/// Queues a `ping` to the subscription (whatever its events), to check the receiver.
pub async fn ping(state: &AppState, by: &User, id: i64, origin: &Origin) -> AppResult<()> {
    let now = state.now();
    change(state, by, id, "pinged", origin, move |c, row| {
        Box::pin(async move {
            if !row.enabled {
                return Err(AppError::refused(Msg::ErrWebhookOff));
            }
            let dedupe = format!("ping_{}", now.0);
            let body = envelope(&dedupe, "ping", now, json!({ "subscription_id": id }));
            storage::http_outbox::enqueue(c, WEBHOOK, id, "ping", &dedupe, &body, now).await?;
            Ok(json!({}))
        })
    })
    .await
}

pub async fn deliveries(state: &AppState, id: i64) -> AppResult<Vec<DeliveryRow>> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    if storage::webhooks::get(c.conn(), id)
        .await
        .map_err(AppError::from)?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    storage::http_outbox::list_for_target(c.conn(), WEBHOOK, id, DELIVERIES_SHOWN)
        .await
        .map_err(AppError::from)
}

pub async fn redeliver(
    state: &AppState,
    by: &User,
    id: i64,
    delivery: i64,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    change(state, by, id, "redelivered", origin, move |c, _| {
        Box::pin(async move {
            if !storage::http_outbox::redeliver(c, WEBHOOK, id, delivery, now).await? {
                return Err(AppError::refused(Msg::ErrWebhookPending));
            }
            Ok(json!({ "delivery": delivery }))
        })
    })
    .await
}
