//! The outbox of domain events, written in the transaction that made the change, and the
//! positions of its consumers.

use super::horizon::{self, Position};
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

/// Emits several events with one statement, in order.
pub async fn emit_many(c: Conn<'_>, events: &[DomainEvent], now: Timestamp) -> StorageResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let payloads = events
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    const COLS: usize = 5;
    let sql = format!(
        "INSERT INTO domain_events (kind, payload, occurred_at, created_at, updated_at) VALUES {}",
        super::value_rows(events.len(), COLS)
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(super::single(events.len()));
        for (e, payload) in events.iter().zip(&payloads) {
            q = q.bind(e.kind()).bind(payload).bind(now).bind(now).bind(now);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// An event as a consumer reads it; a payload that no longer parses comes with its error.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub position: Position,
    pub id: EventId,
    pub occurred_at: Timestamp,
    pub event: Result<DomainEvent, String>,
}

/// Events after `from` below the safe horizon, and how far they reach.
pub struct After {
    /// Up to the limit, oldest first.
    pub events: Vec<StoredEvent>,
    /// The position a consumer may move its cursor to once it has applied `events`: the last
    /// one's, or when fewer than the limit matched, the last event below the horizon (the
    /// kinds left out need nothing).
    pub reach: Option<Position>,
}

/// Up to `limit` events after `from`, oldest first, below the safe horizon; only those of
/// `kinds` when given (the others are passed over in SQL).
pub async fn after(
    mut c: Conn<'_>,
    from: Position,
    limit: i64,
    kinds: Option<&[&str]>,
) -> StorageResult<After> {
    let h = horizon::horizon(c.re()).await?;
    let only = match kinds {
        Some(kinds) => format!(
            " AND kind IN ({})",
            kinds
                .iter()
                .map(|k| format!("'{}'", k.replace('\'', "")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT tx, id, occurred_at, payload FROM domain_events WHERE {}{only} ORDER BY tx, id LIMIT $4",
        horizon::after_clause("domain_events", 1)
    );
    let rows: Vec<(i64, EventId, Timestamp, String)> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(h)
        .bind(from.tx)
        .bind(from.id)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    let events: Vec<StoredEvent> = rows
        .into_iter()
        .map(|(tx, id, occurred_at, payload)| StoredEvent {
            position: Position { tx, id: id.0 },
            id,
            occurred_at,
            event: serde_json::from_str(&payload).map_err(|e| e.to_string()),
        })
        .collect();
    let reach = if kinds.is_none() || events.len() as i64 == limit {
        events.last().map(|e| e.position)
    } else {
        let sql = format!(
            "SELECT tx, id FROM domain_events WHERE {} ORDER BY tx DESC, id DESC LIMIT 1",
            horizon::after_clause("domain_events", 1)
        );
        let last: Option<(i64, i64)> = on_conn!(c, |c| sqlx::query_as(&sql)
            .bind(h)
            .bind(from.tx)
            .bind(from.id)
            .fetch_optional(c)
            .await)?;
        last.map(|(tx, id)| Position { tx, id })
    };
    Ok(After { events, reach })
}

/// Committed events by id, oldest first, without the horizon: for looking back (tests,
/// diagnostics), never for consuming.
pub async fn committed(c: Conn<'_>, limit: i64) -> StorageResult<Vec<StoredEvent>> {
    let rows: Vec<(i64, EventId, Timestamp, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT tx, id, occurred_at, payload FROM domain_events ORDER BY id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(tx, id, occurred_at, payload)| StoredEvent {
            position: Position { tx, id: id.0 },
            id,
            occurred_at,
            event: serde_json::from_str(&payload).map_err(|e| e.to_string()),
        })
        .collect())
}

/// The consumer's position, locked for the transaction on PostgreSQL so that two instances
/// never apply the same events at once (SQLite's single writer does the same).
pub async fn cursor_for_update(
    c: Conn<'_>,
    consumer: &str,
    now: Timestamp,
) -> StorageResult<Position> {
    cursor_locked(c, consumer, now, false)
        .await?
        .ok_or_else(|| StorageError::Corrupt(format!("no cursor row for {consumer}")))
}

/// Like [`cursor_for_update`], but `None` at once when another transaction holds the cursor
/// (PostgreSQL), instead of waiting for it.
pub async fn cursor_unless_busy(
    c: Conn<'_>,
    consumer: &str,
    now: Timestamp,
) -> StorageResult<Option<Position>> {
    cursor_locked(c, consumer, now, true).await
}

async fn cursor_locked(
    mut c: Conn<'_>,
    consumer: &str,
    now: Timestamp,
    skip_locked: bool,
) -> StorageResult<Option<Position>> {
    on_conn!(c.re(), |c| {
        sqlx::query(
            "INSERT INTO event_cursors (consumer, last_event_id, last_tx, created_at, updated_at) \
             VALUES ($1, 0, 0, $2, $2) ON CONFLICT DO NOTHING",
        )
        .bind(consumer)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let lock = match (&c, skip_locked) {
        (Conn::Sqlite(_), _) => "",
        (Conn::Postgres(_), false) => " FOR UPDATE",
        (Conn::Postgres(_), true) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = format!("SELECT last_tx, last_event_id FROM event_cursors WHERE consumer = $1{lock}");
    let row: Option<(i64, i64)> = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(consumer)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(|(tx, id)| Position { tx, id }))
}

pub async fn set_cursor(
    c: Conn<'_>,
    consumer: &str,
    to: Position,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE event_cursors SET last_tx = $2, last_event_id = $3, updated_at = $4 WHERE consumer = $1"
    )
    .bind(consumer)
    .bind(to.tx)
    .bind(to.id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records one more failure of `consumer` on `event`; returns how many there were so far.
pub async fn record_failure(
    c: Conn<'_>,
    consumer: &str,
    event: EventId,
    error: &str,
    park: bool,
    now: Timestamp,
) -> StorageResult<i64> {
    let error: String = error.chars().take(2000).collect();
    let (n,): (i64,) = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO event_failures (consumer, event_id, attempts, last_error, parked, created_at, updated_at) \
         VALUES ($1, $2, 1, $3, $4, $5, $5) \
         ON CONFLICT (consumer, event_id) DO UPDATE SET attempts = event_failures.attempts + 1, \
           last_error = $3, parked = $4, updated_at = $5 \
         RETURNING attempts"
    )
    .bind(consumer)
    .bind(event)
    .bind(&error)
    .bind(park)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(n)
}

/// How many times `consumer` has failed on `event` already.
pub async fn failures_of(c: Conn<'_>, consumer: &str, event: EventId) -> StorageResult<i64> {
    let row: Option<(i64,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT attempts FROM event_failures WHERE consumer = $1 AND event_id = $2"
    )
    .bind(consumer)
    .bind(event)
    .fetch_optional(c)
    .await)?;
    Ok(row.map_or(0, |r| r.0))
}

/// Events parked by a consumer, newest first: (event, attempts, last error).
pub async fn parked(c: Conn<'_>, consumer: &str) -> StorageResult<Vec<(EventId, i64, String)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT event_id, attempts, last_error FROM event_failures \
         WHERE consumer = $1 AND parked ORDER BY event_id DESC LIMIT 100"
    )
    .bind(consumer)
    .fetch_all(c)
    .await)?)
}

/// Runs a savepoint statement (`SAVEPOINT x`, `RELEASE SAVEPOINT x`, `ROLLBACK TO SAVEPOINT x`)
/// inside the caller's transaction; the same text on both backends.
pub async fn savepoint(c: Conn<'_>, statement: &str) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(statement)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
