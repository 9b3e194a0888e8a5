//! The append-only audit store. Every feature records through [`record`].

use super::{Conn, StorageResult, on_conn};
use crate::domain::audit::AuditEntry;
use crate::domain::{AuditId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[tracing::instrument(skip(c, entry), fields(action = entry.action.as_str()))]
pub async fn record(c: Conn<'_>, entry: &AuditEntry) -> StorageResult<AuditId> {
    let details = entry.details.to_string();
    let id: (AuditId,) = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, details, \
         ip, user_agent, channel, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $1, $1) RETURNING id"
    )
    .bind(entry.at)
    .bind(entry.actor_id)
    .bind(&entry.actor_label)
    .bind(entry.action.as_str())
    .bind(&entry.target_type)
    .bind(&entry.target_id)
    .bind(&details)
    .bind(&entry.origin.ip)
    .bind(&entry.origin.user_agent)
    .bind(&entry.origin.channel)
    .fetch_one(c)
    .await
    })?;
    Ok(id.0)
}

/// A stored audit entry as the log pages and the Telegram feed read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    pub actor_label: String,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub details: String,
    pub ip: Option<String>,
    pub channel: String,
}

/// The newest entries first, optionally of one action only.
pub async fn recent(
    c: Conn<'_>,
    action: Option<&str>,
    limit: i64,
) -> StorageResult<Vec<AuditRecord>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, at, actor_id, actor_label, action, target_type, target_id, details, ip, channel \
         FROM audit_log WHERE ($1 IS NULL OR action = $1) ORDER BY id DESC LIMIT $2"
    )
    .bind(action)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}
