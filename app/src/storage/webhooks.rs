//! Webhook subscriptions: their targets, events and secrets, and what their deliveries did.

use super::{Conn, StorageResult, on_conn};
use crate::domain::{Timestamp, UserId};
pub use crate::model::webhooks::WebhookRow;

/// The list's columns: the subscription with its outbox counts, never its secrets.
const COLUMNS: &str = "s.id, s.name, s.url, s.events, s.enabled, s.disabled_reason, \
     s.last_success_at, s.last_failure_at, s.last_error, s.previous_until, s.created_at, \
     (SELECT COUNT(*) FROM http_outbox o WHERE o.channel = 'webhook' AND o.target_id = s.id \
      AND o.status = 'pending') AS pending, \
     (SELECT COUNT(*) FROM http_outbox o WHERE o.channel = 'webhook' AND o.target_id = s.id \
      AND o.status = 'dead') AS dead";

/// What the sender needs to sign and send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<Timestamp>,
    pub enabled: bool,
    pub created_at: Timestamp,
}

pub struct NewSubscription<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub created_by: Option<UserId>,
}

pub async fn insert(c: Conn<'_>, s: &NewSubscription<'_>, now: Timestamp) -> StorageResult<i64> {
    let id: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "INSERT INTO webhook_subscriptions (name, url, events, secret, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(s.name)
    .bind(s.url)
    .bind(s.events)
    .bind(s.secret)
    .bind(s.created_by)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id.0)
}

pub async fn list(c: Conn<'_>) -> StorageResult<Vec<WebhookRow>> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_subscriptions s ORDER BY s.id DESC");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn get(c: Conn<'_>, id: i64) -> StorageResult<Option<WebhookRow>> {
    let sql = format!("SELECT {COLUMNS} FROM webhook_subscriptions s WHERE s.id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

const TARGET: &str = "SELECT id, url, events, secret, previous_secret, previous_until, enabled, \
     created_at FROM webhook_subscriptions";

pub async fn target(c: Conn<'_>, id: i64) -> StorageResult<Option<Target>> {
    let sql = format!("{TARGET} WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The enabled subscriptions (the consumer picks those listening to an event).
pub async fn enabled_targets(c: Conn<'_>) -> StorageResult<Vec<Target>> {
    let sql = format!("{TARGET} WHERE enabled = TRUE ORDER BY id");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn update(
    c: Conn<'_>,
    id: i64,
    name: &str,
    url: &str,
    events: &str,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE webhook_subscriptions SET name = $2, url = $3, events = $4, updated_at = $5 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(url)
    .bind(events)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Switches a subscription on or off; `reason` says why it went off (410, an admin).
pub async fn set_enabled(
    c: Conn<'_>,
    id: i64,
    enabled: bool,
    reason: Option<&str>,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE webhook_subscriptions SET enabled = $2, disabled_reason = $3, updated_at = $4 \
         WHERE id = $1"
    )
    .bind(id)
    .bind(enabled)
    .bind(reason)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A new secret; the current one keeps signing (second signature) until `previous_until`.
pub async fn rotate(
    c: Conn<'_>,
    id: i64,
    secret: &str,
    previous_until: Timestamp,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE webhook_subscriptions SET previous_secret = secret, secret = $2, \
         previous_until = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(secret)
    .bind(previous_until)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// What the last try of a delivery to this subscription did.
pub async fn record_try(
    c: Conn<'_>,
    id: i64,
    ok: bool,
    error: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    if ok {
        on_conn!(c, |c| sqlx::query(
            "UPDATE webhook_subscriptions SET last_success_at = $2 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    } else {
        on_conn!(c, |c| sqlx::query(
            "UPDATE webhook_subscriptions SET last_failure_at = $2, last_error = $3 WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}

/// Deletes a subscription and its deliveries.
pub async fn delete(c: Conn<'_>, id: i64) -> StorageResult<bool> {
    let mut c = c;
    super::http_outbox::delete_target(c.re(), super::http_outbox::WEBHOOK, id).await?;
    let n = on_conn!(c, |c| sqlx::query(
        "DELETE FROM webhook_subscriptions WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
