//! API keys (only the SHA-256 of each secret) and the first answers of idempotent requests.

use super::{Conn, StorageResult, on_conn};
use crate::domain::{Timestamp, UserId};
pub use crate::model::api_keys::ApiKeyRow;

const COLUMNS: &str = "id, name, prefix, scopes, ip_allow, rate_per_sec, burst, expires_at, \
     revoked_at, last_used_at, request_count, created_at";

pub struct NewKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub ip_allow: &'a str,
    pub rate_per_sec: i64,
    pub burst: i64,
    pub expires_at: Option<Timestamp>,
    pub created_by: Option<UserId>,
}

pub async fn insert(c: Conn<'_>, k: &NewKey<'_>, now: Timestamp) -> StorageResult<ApiKeyRow> {
    let sql = format!(
        "INSERT INTO api_keys (name, prefix, secret_hash, scopes, ip_allow, rate_per_sec, burst, \
         expires_at, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {COLUMNS}"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(k.name)
        .bind(k.prefix)
        .bind(k.secret_hash)
        .bind(k.scopes)
        .bind(k.ip_allow)
        .bind(k.rate_per_sec)
        .bind(k.burst)
        .bind(k.expires_at)
        .bind(k.created_by)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

pub async fn list(c: Conn<'_>) -> StorageResult<Vec<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY revoked_at IS NOT NULL, id DESC");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

pub async fn get(c: Conn<'_>, id: i64) -> StorageResult<Option<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub async fn by_hash(c: Conn<'_>, secret_hash: &str) -> StorageResult<Option<ApiKeyRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE secret_hash = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(secret_hash)
        .fetch_optional(c)
        .await)?)
}

/// Revokes a key; false when it was revoked already (or does not exist).
pub async fn revoke(c: Conn<'_>, id: i64, now: Timestamp) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE api_keys SET revoked_at = $2, updated_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Adds the requests an instance counted since its last flush.
pub async fn add_usage(c: Conn<'_>, id: i64, requests: i64, last: Timestamp) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE api_keys SET request_count = request_count + $2, \
         last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < $3 THEN $3 ELSE last_used_at END \
         WHERE id = $1"
    )
    .bind(id)
    .bind(requests)
    .bind(last)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// What is stored for one idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent {
    /// This request is the first: run it, then [`finish`].
    Claimed,
    /// The first request with this key is still running.
    Running { request_hash: String },
    Done {
        request_hash: String,
        status: u16,
        body: String,
    },
}

/// Claims `idem_key` for a request with body hash `request_hash` until `lease_until`, or
/// tells what the first request with it did. Keys older than `since` count as gone; a claim
/// whose lease ran out (its request was cut off) is taken over by the same request.
pub async fn claim(
    c: Conn<'_>,
    key_id: i64,
    idem_key: &str,
    request_hash: &str,
    since: Timestamp,
    now: Timestamp,
    lease_until: Timestamp,
) -> StorageResult<Idempotent> {
    let mut c = c;
    // An expired claim is dropped first, so the key can be used afresh.
    on_conn!(c.re(), |c| sqlx::query(
        "DELETE FROM api_idempotency WHERE key_id = $1 AND idem_key = $2 AND created_at < $3"
    )
    .bind(key_id)
    .bind(idem_key)
    .bind(since)
    .execute(c)
    .await
    .map(|_| ()))?;
    let inserted = on_conn!(c.re(), |c| sqlx::query(
        "INSERT INTO api_idempotency (key_id, idem_key, request_hash, lease_until, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_id, idem_key) DO NOTHING"
    )
    .bind(key_id)
    .bind(idem_key)
    .bind(request_hash)
    .bind(lease_until)
    .bind(now)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(Idempotent::Claimed);
    }
    let taken_over = on_conn!(c.re(), |c| sqlx::query(
        "UPDATE api_idempotency SET lease_until = $4, updated_at = $5 \
         WHERE key_id = $1 AND idem_key = $2 AND request_hash = $3 AND status IS NULL \
           AND (lease_until IS NULL OR lease_until < $6)"
    )
    .bind(key_id)
    .bind(idem_key)
    .bind(request_hash)
    .bind(lease_until)
    .bind(now)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if taken_over == 1 {
        return Ok(Idempotent::Claimed);
    }
    let row: Option<(String, Option<i64>, Option<String>)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT request_hash, status, body FROM api_idempotency WHERE key_id = $1 AND idem_key = $2"
    )
    .bind(key_id)
    .bind(idem_key)
    .fetch_optional(c)
    .await
    })?;
    Ok(match row {
        Some((request_hash, Some(status), body)) => Idempotent::Done {
            request_hash,
            status: u16::try_from(status).unwrap_or(500),
            body: body.unwrap_or_default(),
        },
        Some((request_hash, None, _)) => Idempotent::Running { request_hash },
        // Deleted between the two statements (the first request failed): try again later.
        None => Idempotent::Running {
            request_hash: request_hash.to_owned(),
        },
    })
}

pub async fn finish(
    c: Conn<'_>,
    key_id: i64,
    idem_key: &str,
    status: u16,
    body: &str,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE api_idempotency SET status = $3, body = $4, updated_at = $5 \
         WHERE key_id = $1 AND idem_key = $2"
    )
    .bind(key_id)
    .bind(idem_key)
    .bind(i64::from(status))
    .bind(body)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets a claim whose request failed before it had an answer worth repeating.
/// Extends a running claim's lease (its request is alive).
pub async fn renew(
    c: Conn<'_>,
    key_id: i64,
    idem_key: &str,
    lease_until: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE api_idempotency SET lease_until = $3 \
         WHERE key_id = $1 AND idem_key = $2 AND status IS NULL"
    )
    .bind(key_id)
    .bind(idem_key)
    .bind(lease_until)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn release(c: Conn<'_>, key_id: i64, idem_key: &str) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM api_idempotency WHERE key_id = $1 AND idem_key = $2 AND status IS NULL"
    )
    .bind(key_id)
    .bind(idem_key)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn purge_idempotency(c: Conn<'_>, before: Timestamp) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "DELETE FROM api_idempotency WHERE created_at < $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
