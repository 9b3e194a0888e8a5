//! Opaque tokens of Mini App links: `startapp=<token>` and button URLs name a section by a
//! token that is resolved (and checked) when opened, never by data in the link.

use super::{Conn, StorageResult, on_conn};
use crate::domain::Timestamp;
use rand::Rng;

/// 16 characters of `A-Z a-z 0-9`: 95 bits, within Telegram's 64-character `start_param`.
fn new_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The token of a target, made once and reused.
pub async fn token_for(
    mut c: Conn<'_>,
    kind: &str,
    id: i64,
    extra: i64,
    now: Timestamp,
) -> StorageResult<String> {
    let fresh = new_token();
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO deep_links (token, target_kind, target_id, target_extra, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (target_kind, target_id, target_extra) DO NOTHING"
    )
    .bind(&fresh)
    .bind(kind)
    .bind(id)
    .bind(extra)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let (token,): (String,) = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT token FROM deep_links WHERE target_kind = $1 AND target_id = $2 AND target_extra = $3"
    )
    .bind(kind)
    .bind(id)
    .bind(extra)
    .fetch_one(c)
    .await
    })?;
    Ok(token)
}

/// What a token names: (kind, id, extra).
pub async fn resolve(c: Conn<'_>, token: &str) -> StorageResult<Option<(String, i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT target_kind, target_id, target_extra FROM deep_links WHERE token = $1"
    )
    .bind(token)
    .fetch_optional(c)
    .await)?)
}
