//! Per-user grants and withdrawals of admin-panel modules.

use super::{Conn, StorageResult, on_conn};
use crate::domain::permissions::{Module, PermissionOverride};
use crate::domain::{Timestamp, UserId};

pub async fn overrides_of(c: Conn<'_>, user: UserId) -> StorageResult<Vec<PermissionOverride>> {
    let rows: Vec<(String, bool)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT module, granted FROM user_permissions WHERE user_id = $1"
    )
    .bind(user)
    .fetch_all(c)
    .await)?;
    // A module name this build does not know (written by a newer version) is ignored.
    Ok(rows
        .into_iter()
        .filter_map(|(m, granted)| {
            m.parse::<Module>()
                .ok()
                .map(|module| PermissionOverride { module, granted })
        })
        .collect())
}

/// Stores a grant (`Some(true)`), a withdrawal (`Some(false)`) or returns to the role default
/// (`None`).
pub async fn set_override(
    c: Conn<'_>,
    user: UserId,
    module: Module,
    decision: Option<bool>,
    by: UserId,
    now: Timestamp,
) -> StorageResult<()> {
    match decision {
        Some(granted) => on_conn!(c, |c| {
            sqlx::query(
            "INSERT INTO user_permissions (user_id, module, granted, updated_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (user_id, module) DO UPDATE SET granted = $3, updated_by = $4, updated_at = $5"
        )
        .bind(user)
        .bind(module.as_str())
        .bind(granted)
        .bind(by)
        .bind(now)
        .execute(c)
        .await.map(|r| r.rows_affected())
        })?,
        None => on_conn!(c, |c| sqlx::query(
            "DELETE FROM user_permissions WHERE user_id = $1 AND module = $2"
        )
        .bind(user)
        .bind(module.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?,
    };
    Ok(())
}
