//! The outbox of domain events, written in the transaction that made the change.

use super::{Conn, StorageError, StorageResult, on_conn};
use crate::domain::events::DomainEvent;
use crate::domain::{EventId, Timestamp};

#[tracing::instrument(skip(c, event), fields(kind = event.kind()))]
pub async fn emit(c: Conn<'_>, event: &DomainEvent, now: Timestamp) -> StorageResult<EventId> {
    let payload = serde_json::to_string(event).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let id: (EventId,) = on_conn!(c, |c| sqlx::query_as(
        "INSERT INTO domain_events (kind, payload, occurred_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $3, $3) RETURNING id"
    )
    .bind(event.kind())
    .bind(&payload)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(id.0)
}

/// Events after `cursor`, oldest first.
pub async fn after(
    c: Conn<'_>,
    cursor: EventId,
    limit: i64,
) -> StorageResult<Vec<(EventId, DomainEvent)>> {
    let rows: Vec<(EventId, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT id, payload FROM domain_events WHERE id > $1 ORDER BY id LIMIT $2"
    )
    .bind(cursor)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(id, payload)| {
            serde_json::from_str(&payload)
                .map(|e| (id, e))
                .map_err(|e| StorageError::Corrupt(format!("event {id}: {e}")))
        })
        .collect()
}
