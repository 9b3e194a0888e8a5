//! Batched clock touches: answers and heartbeats of many attempts in one transaction.

use super::*;

/// Several attempts at once. On PostgreSQL they stay locked until the transaction ends, taken in
/// id order so that two batches never wait for each other in a cycle.
pub async fn get_many_for_update(
    c: Conn<'_>,
    ids: &[AttemptId],
) -> StorageResult<Vec<AttemptLite>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {LITE} FROM attempts WHERE id IN ({}) ORDER BY id{}",
        placeholders(1, ids.len()),
        lock_clause(&c)
    );
    let sql = c.list_sql(&sql);
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?)
}

/// Saves answers of several attempts with one statement. One row per (attempt, question): the
/// caller keeps only the last answer for each.
pub async fn save_answers(
    c: Conn<'_>,
    rows: &[(AttemptId, i64, &[u32])],
    now: Timestamp,
) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    const COLS: usize = 6;
    let values = value_rows(rows.len(), COLS);
    let sql = format!(
        "INSERT INTO attempt_answers (attempt_id, question_index, answer, answered_at, created_at, updated_at) \
         VALUES {values} \
         ON CONFLICT (attempt_id, question_index) DO UPDATE SET answer = excluded.answer, \
         answered_at = excluded.answered_at, updated_at = excluded.updated_at"
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for (id, index, answer) in rows {
            q = q
                .bind(*id)
                .bind(*index)
                .bind(Json(*answer))
                .bind(now)
                .bind(now)
                .bind(now);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Saves the clocks and current questions of several running attempts with one statement.
pub async fn save_clocks(
    c: Conn<'_>,
    rows: &[(AttemptId, AttemptClock, i64, Option<String>)],
    now: Timestamp,
) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // One row of values per attempt, joined to its row: linear in the batch, where a `CASE`
    // per column would test every attempt's id against every row.
    const PER: usize = 7;
    let values = value_rows(rows.len(), PER);
    let sql = format!(
        "WITH v (id, used_ms, segment_start, segment_last, current_index, left_at, shown) AS \
         (VALUES {values}) \
         UPDATE attempts SET used_ms = v.used_ms, segment_start = v.segment_start, \
         segment_last = v.segment_last, current_index = v.current_index, left_at = v.left_at, \
         shown = COALESCE(v.shown, attempts.shown), \
         updated_at = ${} \
         FROM v WHERE attempts.id = v.id AND attempts.status = 'in_progress'",
        1 + rows.len() * PER
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for (id, clock, index, shown) in rows {
            q = q
                .bind(*id)
                .bind(clock.used_ms)
                .bind(clock.segment_start)
                .bind(clock.segment_last)
                .bind(*index)
                .bind(clock.left_at)
                .bind(shown.as_deref());
        }
        q.bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Creates the missing progress rows of several people in one certification (empty, as
/// [`ensure_progress`] does) with one statement.
pub async fn ensure_progress_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
    now: Timestamp,
) -> StorageResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    // Every value bound on each row: batch statements take each parameter once, in order.
    let values = value_rows(users.len(), 3);
    let sql = format!(
        "WITH v (user_id, certification_id, at) AS (VALUES {values}) \
         INSERT INTO certification_progress (user_id, certification_id, attempts_used, resets, created_at, updated_at) \
         SELECT user_id, certification_id, 0, 0, at, at FROM v WHERE true ON CONFLICT DO NOTHING"
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for u in users {
            q = q.bind(*u).bind(cert).bind(now);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Adds time on screen to theory pages of several people (rows created at their first
/// showing), one statement. Each (person, certification, page) appears once.
pub async fn add_dwell_many(
    c: Conn<'_>,
    rows: &[(UserId, CertId, BlockId, i64)],
    now: Timestamp,
) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let values = value_rows(rows.len(), 5);
    let sql = format!(
        "WITH v (user_id, certification_id, block_id, dwell_ms, at) AS (VALUES {values}) \
         INSERT INTO theory_reading (user_id, certification_id, block_id, dwell_ms, first_shown_at, created_at, updated_at) \
         SELECT user_id, certification_id, block_id, dwell_ms, at, at, at FROM v WHERE true \
         ON CONFLICT (user_id, certification_id, block_id) DO UPDATE SET \
         dwell_ms = theory_reading.dwell_ms + excluded.dwell_ms, updated_at = excluded.updated_at"
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for (user, cert, block, ms) in rows {
            q = q.bind(*user).bind(*cert).bind(*block).bind(*ms).bind(now);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Records for several people in one certification which theory page is on screen from `now`
/// (the time of the page before is added by [`add_dwell_many`]), one statement.
pub async fn show_blocks(
    c: Conn<'_>,
    cert: CertId,
    shown: &[(UserId, BlockId)],
    now: Timestamp,
) -> StorageResult<()> {
    if shown.is_empty() {
        return Ok(());
    }
    const COLS: usize = 3;
    let values = value_rows(shown.len(), COLS);
    let sql = format!(
        "WITH v (user_id, block_id, at) AS (VALUES {values}) \
         UPDATE certification_progress SET current_block_id = v.block_id, current_since = v.at, \
         updated_at = v.at FROM v \
         WHERE certification_progress.user_id = v.user_id AND certification_progress.certification_id = ${}",
        1 + shown.len() * COLS
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for (user, block) in shown {
            q = q.bind(*user).bind(*block).bind(now);
        }
        q.bind(cert).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Time each page has been on screen, for several people in one certification.
pub async fn dwell_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, BlockId, i64)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, block_id, dwell_ms FROM theory_reading \
         WHERE certification_id = $1 AND user_id IN ({})",
        placeholders(2, users.len())
    );
    let sql = c.list_sql(&sql);
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false).bind(cert);
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(c).await
    })?)
}

/// [`mark_read`] for several people in one certification, one statement.
pub async fn mark_read_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
    version: i64,
    now: Timestamp,
) -> StorageResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE certification_progress SET read_version = $1, read_at = $2, updated_at = $3 \
         WHERE certification_id = $4 AND user_id IN ({})",
        placeholders(5, users.len())
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql)
            .persistent(false)
            .bind(version)
            .bind(now)
            .bind(now)
            .bind(cert);
        for u in users {
            q = q.bind(*u);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
