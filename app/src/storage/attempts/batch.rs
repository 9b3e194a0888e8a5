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
