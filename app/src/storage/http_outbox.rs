//! The generic HTTP outbox: requests to make to other systems (webhooks, xAPI statements),
//! queued in the transaction of what causes them and sent by the leader's sender with
//! retries. A claimed row is leased (its next try moved ahead) so a sender that dies mid-send
//! leaves it to be tried again: delivery is at least once, deduplicated by the row's id.

use super::{Conn, StorageResult, on_conn};
use crate::domain::Timestamp;
pub use crate::model::webhooks::DeliveryRow;

/// The channel of webhook deliveries (`target_id` is the subscription).
pub const WEBHOOK: &str = "webhook";
/// The channel of xAPI statements (`target_id` 0: the one LRS of the settings).
pub const XAPI: &str = "xapi";

/// How a target's deliveries stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub pending: i64,
    pub dead: i64,
    pub delivered: i64,
    /// The error of the latest failed try, if any.
    pub last_error: Option<String>,
}

pub async fn summary(mut c: Conn<'_>, channel: &str, target_id: i64) -> StorageResult<Summary> {
    let counts: Vec<(String, i64)> = on_conn!(c.re(), |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM http_outbox WHERE channel = $1 AND target_id = $2 \
         GROUP BY status"
    )
    .bind(channel)
    .bind(target_id)
    .fetch_all(c)
    .await)?;
    let last: Option<(Option<String>,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT last_error FROM http_outbox WHERE channel = $1 AND target_id = $2 \
         AND last_error IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1"
    )
    .bind(channel)
    .bind(target_id)
    .fetch_optional(c)
    .await)?;
    let n = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(Summary {
        pending: n("pending"),
        dead: n("dead"),
        delivered: n("delivered"),
        last_error: last.and_then(|(e,)| e),
    })
}

/// A row to send.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub channel: String,
    pub target_id: i64,
    pub event_type: String,
    pub dedupe: String,
    pub body: String,
    pub attempts: i64,
}

/// Queues a request; false when this `dedupe` was queued for the target already.
pub async fn enqueue(
    c: Conn<'_>,
    channel: &str,
    target_id: i64,
    event_type: &str,
    dedupe: &str,
    body: &str,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO http_outbox (channel, target_id, event_type, dedupe, body, next_attempt_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) \
         ON CONFLICT (channel, target_id, dedupe) DO NOTHING"
    )
    .bind(channel)
    .bind(target_id)
    .bind(event_type)
    .bind(dedupe)
    .bind(body)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Takes up to `limit` due rows and leases them until `lease_until`.
pub async fn claim_due(
    c: Conn<'_>,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> StorageResult<Vec<Due>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "UPDATE http_outbox SET next_attempt_at = $2 WHERE id IN (SELECT id FROM http_outbox \
         WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id \
         LIMIT $3) AND status = 'pending' \
         RETURNING id, channel, target_id, event_type, dedupe, body, attempts"
    )
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// What a try did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TryResult<'a> {
    Delivered {
        status: u16,
    },
    Retry {
        status: Option<u16>,
        error: &'a str,
        at: Timestamp,
    },
    Dead {
        status: Option<u16>,
        error: &'a str,
    },
}

pub async fn record(c: Conn<'_>, id: i64, r: &TryResult<'_>, now: Timestamp) -> StorageResult<()> {
    let (status, code, error, next, delivered) = match *r {
        TryResult::Delivered { status } => ("delivered", Some(status), None, now, Some(now)),
        TryResult::Retry { status, error, at } => ("pending", status, Some(error), at, None),
        TryResult::Dead { status, error } => ("dead", status, Some(error), now, None),
    };
    on_conn!(c, |c| sqlx::query(
        "UPDATE http_outbox SET status = $2, attempts = attempts + 1, last_status = $3, \
         last_error = $4, next_attempt_at = $5, delivered_at = $6, updated_at = $7 WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(code.map(i64::from))
    .bind(error)
    .bind(next)
    .bind(delivered)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A target's latest deliveries, newest first.
pub async fn list_for_target(
    c: Conn<'_>,
    channel: &str,
    target_id: i64,
    limit: i64,
) -> StorageResult<Vec<DeliveryRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, event_type, body, status, attempts, next_attempt_at, last_status, last_error, \
         delivered_at, created_at FROM http_outbox WHERE channel = $1 AND target_id = $2 \
         ORDER BY id DESC LIMIT $3"
    )
    .bind(channel)
    .bind(target_id)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Sends a delivered or dead row again, from its first try; false when it is pending already
/// or is not the target's.
pub async fn redeliver(
    c: Conn<'_>,
    channel: &str,
    target_id: i64,
    id: i64,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE http_outbox SET status = 'pending', attempts = 0, next_attempt_at = $4, \
         updated_at = $4 WHERE id = $3 AND channel = $1 AND target_id = $2 \
         AND status <> 'pending'"
    )
    .bind(channel)
    .bind(target_id)
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives up a target's pending rows (its subscription was switched off).
pub async fn kill_pending(
    c: Conn<'_>,
    channel: &str,
    target_id: i64,
    why: &str,
    now: Timestamp,
) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE http_outbox SET status = 'dead', last_error = $3, updated_at = $4 \
         WHERE channel = $1 AND target_id = $2 AND status = 'pending'"
    )
    .bind(channel)
    .bind(target_id)
    .bind(why)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

pub async fn delete_target(c: Conn<'_>, channel: &str, target_id: i64) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM http_outbox WHERE channel = $1 AND target_id = $2"
    )
    .bind(channel)
    .bind(target_id)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Deletes delivered and dead rows last changed before `before`.
pub async fn purge(c: Conn<'_>, before: Timestamp) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "DELETE FROM http_outbox WHERE status <> 'pending' AND updated_at < $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
