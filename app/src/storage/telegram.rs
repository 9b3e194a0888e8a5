//! The Telegram outbox: every message to Telegram (notifications, the audit feed) waits here
//! until the sender has delivered it or given up. Rows are written in the same transaction as
//! their cause, so nothing is lost when a process dies; a unique key per cause, recipient and
//! kind makes a repeated cause queue nothing more.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::{Timestamp, UserId};
pub use crate::model::notifications::{Button, OutboxMessage, OutboxStatus};

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub dedupe_key: &'a str,
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub recipient: Option<UserId>,
    pub kind: &'a str,
    pub text: &'a str,
    pub buttons: &'a [Vec<Button>],
    pub payload: serde_json::Value,
    /// `Queued`, or `Skipped` with the reason in `note`.
    pub status: OutboxStatus,
    pub note: Option<&'a str>,
    pub send_at: Timestamp,
}

/// Queues a message; false if this cause already queued one (the key exists).
pub async fn enqueue(c: Conn<'_>, m: &NewMessage<'_>, now: Timestamp) -> StorageResult<bool> {
    let buttons = serde_json::to_string(m.buttons).unwrap_or_else(|_| "[]".into());
    let n = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO tg_outbox (dedupe_key, chat_id, thread_id, recipient_id, kind, text, buttons, payload, \
         status, attempts, next_attempt_at, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $12) \
         ON CONFLICT (dedupe_key) DO NOTHING"
    )
    .bind(m.dedupe_key)
    .bind(m.chat_id)
    .bind(m.thread_id)
    .bind(m.recipient)
    .bind(m.kind)
    .bind(m.text)
    .bind(&buttons)
    .bind(m.payload.to_string())
    .bind(m.status.as_str())
    .bind(m.send_at)
    .bind(m.note)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

const COLUMNS: &str = "id, dedupe_key, chat_id, thread_id, recipient_id, kind, text, buttons, payload, \
     status, attempts, next_attempt_at, last_error, sent_at, message_id, digest_id, created_at";

/// Messages whose time has come, oldest first.
pub async fn due(c: Conn<'_>, now: Timestamp, limit: i64) -> StorageResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tg_outbox WHERE status IN ('queued', 'failed') AND next_attempt_at <= $1 \
         ORDER BY id LIMIT $2"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The oldest due message of each chat, oldest first: messages to one chat go in order, and a
/// chat with a long queue does not hold the others back.
pub async fn due_heads(
    c: Conn<'_>,
    now: Timestamp,
    limit: i64,
) -> StorageResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tg_outbox WHERE id IN ( \
           SELECT MIN(id) FROM tg_outbox WHERE status IN ('queued', 'failed') AND next_attempt_at <= $1 \
           GROUP BY chat_id) \
         ORDER BY id LIMIT $2"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Due messages of one kind to one chat, oldest first (what a digest folds together).
pub async fn due_of_chat(
    c: Conn<'_>,
    chat: i64,
    kind: &str,
    now: Timestamp,
    limit: i64,
) -> StorageResult<Vec<OutboxMessage>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tg_outbox WHERE chat_id = $1 AND kind = $2 \
         AND status IN ('queued', 'failed') AND next_attempt_at <= $3 ORDER BY id LIMIT $4"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(chat)
        .bind(kind)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The earliest time a waiting message is due (for the sender to sleep until then).
pub async fn next_due(c: Conn<'_>) -> StorageResult<Option<Timestamp>> {
    let row: (Option<Timestamp>,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT MIN(next_attempt_at) FROM tg_outbox WHERE status IN ('queued', 'failed')"
    )
    .fetch_one(c)
    .await)?;
    Ok(row.0)
}

/// Marks messages as being sent; returns the ids that were still waiting (a row another sender
/// took meanwhile is left out).
pub async fn claim(c: Conn<'_>, ids: &[i64], now: Timestamp) -> StorageResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE tg_outbox SET status = 'sending', attempts = attempts + 1, updated_at = $1 \
         WHERE id IN ({}) AND status IN ('queued', 'failed') RETURNING id",
        placeholders(2, ids.len())
    );
    let rows: Vec<(i64,)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).bind(now);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn mark_sent(
    c: Conn<'_>,
    ids: &[i64],
    message_id: Option<i64>,
    digest_id: Option<i64>,
    now: Timestamp,
) -> StorageResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE tg_outbox SET status = 'sent', sent_at = $1, message_id = $2, digest_id = $3, \
         updated_at = $1 WHERE id IN ({})",
        placeholders(4, ids.len())
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).bind(now).bind(message_id).bind(digest_id);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Puts messages back in the queue for `at` (a 429, a retry); `failed` keeps an error for the
/// log and counts as a failed try.
pub async fn requeue(
    c: Conn<'_>,
    ids: &[i64],
    at: Timestamp,
    error: Option<&str>,
    failed: bool,
    now: Timestamp,
) -> StorageResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let status = if failed { "failed" } else { "queued" };
    // A 429 is not a failed try: it does not count against the retries.
    let attempts = if failed { "attempts" } else { "attempts - 1" };
    let sql = format!(
        "UPDATE tg_outbox SET status = '{status}', attempts = {attempts}, next_attempt_at = $1, \
         last_error = COALESCE($2, last_error), updated_at = $3 WHERE id IN ({})",
        placeholders(4, ids.len())
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).bind(at).bind(error).bind(now);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Ends messages as dead, unreachable or skipped, with the reason.
pub async fn finish(
    c: Conn<'_>,
    ids: &[i64],
    status: OutboxStatus,
    error: &str,
    now: Timestamp,
) -> StorageResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE tg_outbox SET status = $1, last_error = $2, updated_at = $3 WHERE id IN ({})",
        placeholders(4, ids.len())
    );
    let error: String = error.chars().take(1000).collect();
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql)
            .bind(status.as_str())
            .bind(&error)
            .bind(now);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every message still waiting for a recipient who became unreachable ends unsent.
pub async fn drop_waiting_for_chat(
    c: Conn<'_>,
    chat_id: i64,
    error: &str,
    now: Timestamp,
) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE tg_outbox SET status = 'unreachable', last_error = $2, updated_at = $3 \
         WHERE chat_id = $1 AND status IN ('queued', 'failed')"
    )
    .bind(chat_id)
    .bind(error)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// A group became a supergroup: its waiting messages go to the new id.
pub async fn move_chat(c: Conn<'_>, from: i64, to: i64, now: Timestamp) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE tg_outbox SET chat_id = $2, updated_at = $3 \
         WHERE chat_id = $1 AND status IN ('queued', 'failed', 'sending')"
    )
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Rows a crashed sender left as "sending": they go out again (they may have reached Telegram
/// already: the one duplicate window). Returns how many.
pub async fn recover_sending(c: Conn<'_>, now: Timestamp) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE tg_outbox SET status = 'queued', next_attempt_at = $1, \
         last_error = 'resent after a restart: may be a duplicate', updated_at = $1 \
         WHERE status = 'sending'"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// A failed, dead or unreachable message queued again by an admin.
pub async fn resend(c: Conn<'_>, id: i64, now: Timestamp) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE tg_outbox SET status = 'queued', attempts = 0, next_attempt_at = $2, updated_at = $2 \
         WHERE id = $1 AND status IN ('failed', 'dead', 'unreachable')"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn get(c: Conn<'_>, id: i64) -> StorageResult<Option<OutboxMessage>> {
    let sql = format!("SELECT {COLUMNS} FROM tg_outbox WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The notification log: newest first, filtered by status, kind and recipient.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub recipient: Option<UserId>,
    /// Only notifications (not the audit feed).
    pub notifications_only: bool,
    /// Whose messages the reader sees (messages to a group have no person and are shown).
    pub scope: crate::domain::scope::PeopleScope,
}

pub async fn log(
    mut c: Conn<'_>,
    f: &LogFilter,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<OutboxMessage>, i64)> {
    let only = if f.notifications_only {
        " AND kind <> 'audit'"
    } else {
        ""
    };
    let filter = format!(
        "($1 IS NULL OR status = $1) AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR recipient_id = $3){only} \
         AND (recipient_id IS NULL OR recipient_id IN (SELECT u.id FROM users u WHERE {}))",
        f.scope.sql("u.branch_id")
    );
    let sql = format!(
        "SELECT {COLUMNS} FROM tg_outbox WHERE {filter} ORDER BY id DESC LIMIT $4 OFFSET $5"
    );
    let rows = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(&f.status)
        .bind(&f.kind)
        .bind(f.recipient)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count = format!("SELECT COUNT(*) FROM tg_outbox WHERE {filter}");
    let (total,): (i64,) = on_conn!(c, |c| sqlx::query_as(&count)
        .bind(&f.status)
        .bind(&f.kind)
        .bind(f.recipient)
        .fetch_one(c)
        .await)?;
    Ok((rows, total))
}

/// How many messages are in each status (the settings page, the benchmark).
pub async fn counts(c: Conn<'_>) -> StorageResult<Vec<(String, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM tg_outbox GROUP BY status ORDER BY status"
    )
    .fetch_all(c)
    .await)?)
}

/// When a message with this key was queued (e.g. when a person was told about a
/// certification), whatever became of it.
pub async fn queued_at(c: Conn<'_>, dedupe_key: &str) -> StorageResult<Option<Timestamp>> {
    let row: Option<(Timestamp,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT created_at FROM tg_outbox WHERE dedupe_key = $1"
    )
    .bind(dedupe_key)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0))
}
