//! Branches and positions.

use super::{Conn, StorageResult, on_conn};
use crate::domain::Timestamp;

pub use crate::model::dictionaries::DictEntry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dictionary {
    Branches,
    Positions,
}

impl Dictionary {
    fn table(self) -> &'static str {
        match self {
            Dictionary::Branches => "branches",
            Dictionary::Positions => "positions",
        }
    }
}

/// The entries in name order; archived branches (deleted over SCIM) are left out.
pub async fn list(c: Conn<'_>, dict: Dictionary) -> StorageResult<Vec<DictEntry>> {
    let live = match dict {
        Dictionary::Branches => "WHERE NOT archived",
        Dictionary::Positions => "",
    };
    let sql = format!("SELECT id, name FROM {} {live} ORDER BY name", dict.table());
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Returns the entry with this name, creating it if needed (an archived branch comes back).
pub async fn ensure(
    mut c: Conn<'_>,
    dict: Dictionary,
    name: &str,
    now: Timestamp,
) -> StorageResult<DictEntry> {
    let insert = format!(
        "INSERT INTO {} (name, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (name) DO NOTHING",
        dict.table()
    );
    on_conn!(c.re(), |c| sqlx::query(&insert)
        .bind(name)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if dict == Dictionary::Branches {
        on_conn!(c.re(), |c| sqlx::query(
            "UPDATE branches SET archived = FALSE, updated_at = $2 WHERE name = $1 AND archived"
        )
        .bind(name)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    let select = format!("SELECT id, name FROM {} WHERE name = $1", dict.table());
    Ok(on_conn!(c, |c| sqlx::query_as(&select)
        .bind(name)
        .fetch_one(c)
        .await)?)
}

pub async fn get(c: Conn<'_>, dict: Dictionary, id: i64) -> StorageResult<Option<DictEntry>> {
    let sql = format!("SELECT id, name FROM {} WHERE id = $1", dict.table());
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub async fn rename(
    c: Conn<'_>,
    dict: Dictionary,
    id: i64,
    name: &str,
    now: Timestamp,
) -> StorageResult<()> {
    let sql = format!(
        "UPDATE {} SET name = $2, updated_at = $3 WHERE id = $1",
        dict.table()
    );
    on_conn!(c, |c| sqlx::query(&sql)
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(())
}
