//! Uploaded files (theory media, question images, materials). The bytes are on disk; this is
//! their index.

use super::{Conn, StorageResult, on_conn};
use crate::domain::{Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Upload {
    pub id: String,
    /// Relative to the uploads directory.
    pub path: String,
    pub original_name: String,
    pub content_type: String,
    pub kind: String,
    pub size_bytes: i64,
}

pub async fn insert(c: Conn<'_>, u: &Upload, by: UserId, now: Timestamp) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO uploads (id, path, original_name, content_type, kind, size_bytes, uploaded_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    )
    .bind(&u.id)
    .bind(&u.path)
    .bind(&u.original_name)
    .bind(&u.content_type)
    .bind(&u.kind)
    .bind(u.size_bytes)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(c: Conn<'_>, id: &str) -> StorageResult<Option<Upload>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, path, original_name, content_type, kind, size_bytes FROM uploads WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}
