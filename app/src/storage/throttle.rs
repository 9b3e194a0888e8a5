//! Failed sign-in counting, shared by every server instance through the database.

use super::{Conn, StorageResult, on_conn};
use crate::domain::Timestamp;
use crate::domain::throttle::Failures;

/// The key's state, locked until the transaction ends (a row is created empty when missing), so
/// that checks of one login are counted one after the other whatever the concurrency.
pub async fn get_for_update(
    mut c: Conn<'_>,
    key: &str,
    now: Timestamp,
) -> StorageResult<Option<Failures>> {
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until, created_at, updated_at) \
         VALUES ($1, 0, $2, NULL, $2, $2) ON CONFLICT (key) DO NOTHING"
    )
    .bind(key)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let lock = match c {
        Conn::Sqlite(_) => "",
        Conn::Postgres(_) => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT failures, window_started_at, locked_until FROM login_throttle WHERE key = $1{lock}"
    );
    let row: Option<(i64, Timestamp, Option<Timestamp>)> = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(key)
        .fetch_optional(c)
        .await)?;
    Ok(row
        .filter(|(count, _, _)| *count > 0)
        .map(|(count, window_started_at, locked_until)| Failures {
            count,
            window_started_at,
            locked_until,
        }))
}

/// Deletes keys whose window and lock are over (see `domain::throttle::is_stale`).
pub async fn purge_stale(c: Conn<'_>, now: Timestamp, window_secs: i64) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "DELETE FROM login_throttle WHERE window_started_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $2)"
    )
    .bind(now.minus_secs(window_secs))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

pub async fn get(c: Conn<'_>, key: &str) -> StorageResult<Option<Failures>> {
    let row: Option<(i64, Timestamp, Option<Timestamp>)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT failures, window_started_at, locked_until FROM login_throttle WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await)?;
    Ok(
        row.map(|(count, window_started_at, locked_until)| Failures {
            count,
            window_started_at,
            locked_until,
        }),
    )
}

pub async fn put(c: Conn<'_>, key: &str, state: Failures, now: Timestamp) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (key) DO UPDATE SET failures = $2, window_started_at = $3, locked_until = $4, updated_at = $5"
    )
    .bind(key)
    .bind(state.count)
    .bind(state.window_started_at)
    .bind(state.locked_until)
    .bind(now)
    .execute(c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn clear(c: Conn<'_>, key: &str) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM login_throttle WHERE key = $1"
    )
    .bind(key)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
