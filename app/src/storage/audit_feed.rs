//! The Telegram audit feed's own tables: entries waiting per topic, per-minute counts, and the
//! forum topics the bot made.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::{AuditId, Timestamp};

/// The feed's cursor over the audit log (`event_cursors`).
pub const CURSOR: &str = "audit_feed";

/// A group was set where there was none: the feed starts with the entries after this
/// transaction (the history before it is in the panel, not posted).
pub async fn start_at_end(mut c: Conn<'_>, now: Timestamp) -> StorageResult<()> {
    let last = super::audit::last_position(c.re()).await?;
    super::events::cursor_for_update(c.re(), CURSOR, now).await?;
    super::events::set_cursor(c, CURSOR, last, now).await
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QueuedLine {
    pub id: i64,
    pub topic: String,
    pub audit_id: Option<AuditId>,
    pub line: String,
    pub at: Timestamp,
}

pub async fn queue_line(
    c: Conn<'_>,
    topic: &str,
    audit_id: Option<AuditId>,
    line: &str,
    at: Timestamp,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO audit_feed_queue (topic, audit_id, line, at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)"
    )
    .bind(topic)
    .bind(audit_id)
    .bind(line)
    .bind(at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The topic whose oldest line has waited longest, and its waiting lines in order.
pub async fn oldest_topic(c: Conn<'_>, limit: i64) -> StorageResult<Vec<QueuedLine>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, topic, audit_id, line, at FROM audit_feed_queue \
         WHERE topic = (SELECT topic FROM audit_feed_queue ORDER BY id LIMIT 1) \
         ORDER BY id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Lines waiting per topic: (topic, lines, characters).
pub async fn waiting(c: Conn<'_>) -> StorageResult<Vec<(String, i64, i64)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT topic, COUNT(*), COALESCE(SUM(LENGTH(line)), 0) FROM audit_feed_queue GROUP BY topic ORDER BY topic"
    )
    .fetch_all(c)
    .await
    })?)
}

/// The oldest `n` lines of a topic (what a summary folds together).
pub async fn oldest_of(c: Conn<'_>, topic: &str, n: i64) -> StorageResult<Vec<QueuedLine>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, topic, audit_id, line, at FROM audit_feed_queue WHERE topic = $1 ORDER BY id LIMIT $2"
    )
    .bind(topic)
    .bind(n)
    .fetch_all(c)
    .await
    })?)
}

pub async fn remove(c: Conn<'_>, ids: &[i64]) -> StorageResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM audit_feed_queue WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// One more sign-in (or attempt start) in a minute.
pub async fn count(
    c: Conn<'_>,
    minute: Timestamp,
    action: &str,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO audit_feed_counts (minute, action, count, created_at, updated_at) VALUES ($1, $2, 1, $3, $3) \
         ON CONFLICT (minute, action) DO UPDATE SET count = audit_feed_counts.count + 1, updated_at = $3"
    )
    .bind(minute)
    .bind(action)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The counts of minutes before `before`, taken out of the table.
pub async fn take_counts(
    mut c: Conn<'_>,
    before: Timestamp,
) -> StorageResult<Vec<(Timestamp, String, i64)>> {
    let rows: Vec<(Timestamp, String, i64)> = on_conn!(c.re(), |c| {
        sqlx::query_as(
        "SELECT minute, action, count FROM audit_feed_counts WHERE minute < $1 ORDER BY minute, action"
    )
    .bind(before)
    .fetch_all(c)
    .await
    })?;
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM audit_feed_counts WHERE minute < $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(rows)
}

/// A forum topic the bot made for a group of kinds.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedTopic {
    pub topic: String,
    /// 0: deleted, to be made again.
    pub thread_id: i64,
    pub recreated_at: Option<Timestamp>,
    /// Posts go to the group's main chat until then.
    pub main_until: Option<Timestamp>,
}

const TOPIC_COLUMNS: &str = "topic, thread_id, recreated_at, main_until";

pub async fn topic(c: Conn<'_>, chat: i64, topic: &str) -> StorageResult<Option<FeedTopic>> {
    let sql =
        format!("SELECT {TOPIC_COLUMNS} FROM audit_feed_topics WHERE chat_id = $1 AND topic = $2");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(chat)
        .bind(topic)
        .fetch_optional(c)
        .await)?)
}

/// The topic a thread belongs to.
pub async fn topic_of_thread(
    c: Conn<'_>,
    chat: i64,
    thread: i64,
) -> StorageResult<Option<FeedTopic>> {
    let sql = format!(
        "SELECT {TOPIC_COLUMNS} FROM audit_feed_topics WHERE chat_id = $1 AND thread_id = $2"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(chat)
        .bind(thread)
        .fetch_optional(c)
        .await)?)
}

/// Records a topic made (or made again) by the bot.
pub async fn set_topic(
    c: Conn<'_>,
    chat: i64,
    topic: &str,
    thread: i64,
    recreated_at: Option<Timestamp>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO audit_feed_topics (chat_id, topic, thread_id, recreated_at, main_until, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, $5) ON CONFLICT (chat_id, topic) DO UPDATE SET \
         thread_id = $3, recreated_at = COALESCE($4, audit_feed_topics.recreated_at), main_until = NULL, updated_at = $5"
    )
    .bind(chat)
    .bind(topic)
    .bind(thread)
    .bind(recreated_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A topic was deleted: made again at the next post (`main_until` none), or posts go to the
/// main chat until `main_until`.
pub async fn topic_deleted(
    c: Conn<'_>,
    chat: i64,
    topic: &str,
    main_until: Option<Timestamp>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE audit_feed_topics SET thread_id = 0, main_until = $3, updated_at = $4 \
         WHERE chat_id = $1 AND topic = $2"
    )
    .bind(chat)
    .bind(topic)
    .bind(main_until)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A group became a supergroup: its topics follow.
pub async fn move_chat(c: Conn<'_>, from: i64, to: i64, now: Timestamp) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE audit_feed_topics SET chat_id = $2, updated_at = $3 WHERE chat_id = $1"
    )
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether a feed message to the group is still on its way (the next one waits for it, so it
/// can carry everything that came meanwhile).
pub async fn in_flight(c: Conn<'_>, chat: i64) -> StorageResult<bool> {
    let (n,): (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM tg_outbox WHERE chat_id = $1 AND kind = 'audit' \
         AND status IN ('queued', 'sending', 'failed')"
    )
    .bind(chat)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}
