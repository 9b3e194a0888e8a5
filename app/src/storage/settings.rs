//! The typed settings store: one JSON value per section (`settings.key`), with a version that
//! grows on every change. `crate::settings` gives each section its Rust type.

use super::{Conn, StorageResult, on_conn};
use crate::domain::{Timestamp, UserId};

/// The stored value of a section and its version.
pub async fn get(c: Conn<'_>, key: &str) -> StorageResult<Option<(String, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT value, version FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(c)
    .await)?)
}

/// Writes a section; returns its new version.
pub async fn put(
    c: Conn<'_>,
    key: &str,
    value: &str,
    by: Option<UserId>,
    now: Timestamp,
) -> StorageResult<i64> {
    let (v,): (i64,) = on_conn!(c, |c| sqlx::query_as(
        "INSERT INTO settings (key, value, version, updated_by, created_at, updated_at) \
         VALUES ($1, $2, 1, $3, $4, $4) \
         ON CONFLICT (key) DO UPDATE SET value = $2, version = settings.version + 1, \
           updated_by = $3, updated_at = $4 \
         RETURNING version"
    )
    .bind(key)
    .bind(value)
    .bind(by)
    .bind(now)
    .fetch_one(c)
    .await)?;
    Ok(v)
}
