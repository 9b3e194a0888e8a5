//! The integrity record of attempts: what happened during each, in order.

use super::*;
use crate::domain::integrity::AttemptEvent;

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub attempt: AttemptId,
    pub kind: &'static str,
    pub question_index: Option<i64>,
    pub away_ms: Option<i64>,
    pub session: Option<String>,
}

/// The short label of a session kept in the record (enough to tell devices apart).
pub fn session_label(token_hash: &str) -> String {
    token_hash.chars().take(8).collect()
}

/// Records events with one statement.
pub async fn record_events(c: Conn<'_>, rows: &[NewEvent], now: Timestamp) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    const COLS: usize = 6;
    let values = value_rows(rows.len(), COLS);
    let sql = format!(
        "INSERT INTO attempt_events (attempt_id, at, kind, question_index, away_ms, session) VALUES {values}"
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for e in rows {
            q = q
                .bind(e.attempt)
                .bind(now)
                .bind(e.kind)
                .bind(e.question_index)
                .bind(e.away_ms)
                .bind(e.session.as_deref());
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The record of one attempt, in order.
pub async fn events(c: Conn<'_>, id: AttemptId) -> StorageResult<Vec<AttemptEvent>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT at, kind, question_index, away_ms, session FROM attempt_events \
         WHERE attempt_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await)?)
}
