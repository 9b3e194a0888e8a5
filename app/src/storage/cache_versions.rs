//! The versions of the cached scopes (`app::cache`). Triggers bump `content` with every write to
//! the tables it covers (migration `0012_cache.sql`); the cache consumer bumps `results`.

use super::{Conn, StorageResult, on_conn};

/// Every scope's version, in one read (the table has a row per scope).
pub async fn all(c: Conn<'_>) -> StorageResult<Vec<(String, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT scope, version FROM cache_versions"
    )
    .fetch_all(c)
    .await)?)
}

/// Bumps `scope` inside the caller's transaction: visible to readers when it commits.
pub async fn bump(c: Conn<'_>, scope: &str) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE cache_versions SET version = version + 1 WHERE scope = $1"
    )
    .bind(scope)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
