//! Finishing attempts several at a time: what scoring reads of each (its questions, answers and
//! integrity record) and what the end writes (the attempt's row, the people's results), one
//! statement per table for all of them. The callers pass at most a batch (≤ 64 attempts), so
//! the lists stay far inside both backends' parameter limits.

use super::*;
use crate::domain::integrity::AttemptEvent;
use crate::storage::single;
use std::collections::HashMap;

/// The questions of each attempt as they were drawn.
pub async fn questions_many(
    c: Conn<'_>,
    ids: &[AttemptId],
) -> StorageResult<HashMap<AttemptId, Vec<AskedQuestion>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, questions FROM attempts WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(AttemptId, Json<Vec<AskedQuestion>>)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(single(ids.len()));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|(id, q)| (id, q.0)).collect())
}

/// The answers of each attempt by question index (`len` entries each, `None` when unanswered),
/// as [`answers`] reads one attempt's.
pub async fn answers_many(
    c: Conn<'_>,
    lens: &[(AttemptId, usize)],
) -> StorageResult<HashMap<AttemptId, Vec<Option<Vec<u32>>>>> {
    let mut out: HashMap<AttemptId, Vec<Option<Vec<u32>>>> = lens
        .iter()
        .map(|(id, len)| (*id, vec![None; *len]))
        .collect();
    if lens.is_empty() {
        return Ok(out);
    }
    let ids: Vec<AttemptId> = lens.iter().map(|(id, _)| *id).collect();
    let sql = format!(
        "SELECT attempt_id, question_index, answer FROM attempt_answers WHERE attempt_id IN ({})",
        placeholders(1, ids.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(AttemptId, i64, Json<Vec<u32>>)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(single(ids.len()));
        for id in &ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    for (id, i, a) in rows {
        if let Some(slot) = out
            .get_mut(&id)
            .and_then(|answers| usize::try_from(i).ok().and_then(|i| answers.get_mut(i)))
        {
            *slot = Some(a.0);
        }
    }
    Ok(out)
}

/// The integrity record of each attempt, in order.
pub async fn events_many(
    c: Conn<'_>,
    ids: &[AttemptId],
) -> StorageResult<HashMap<AttemptId, Vec<AttemptEvent>>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        attempt_id: AttemptId,
        #[sqlx(flatten)]
        event: AttemptEvent,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT attempt_id, at, kind, question_index, away_ms, session FROM attempt_events \
         WHERE attempt_id IN ({}) ORDER BY attempt_id, id",
        placeholders(1, ids.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<Row> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(single(ids.len()));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?;
    let mut out: HashMap<AttemptId, Vec<AttemptEvent>> = HashMap::new();
    for r in rows {
        out.entry(r.attempt_id).or_default().push(r.event);
    }
    Ok(out)
}

/// How an attempt ends, as its row keeps it.
pub struct Ended<'a> {
    pub id: AttemptId,
    pub finished_at: Timestamp,
    pub reason: &'a str,
    pub used_ms: i64,
    pub score: Score,
    pub passed: bool,
    /// The integrity record's flags (for the results' filter); none is kept as `NULL`.
    pub flags: &'a [&'a str],
}

/// Ends the attempts still in progress with one statement; returns the ids it ended.
pub async fn finish_many(
    c: Conn<'_>,
    rows: &[Ended<'_>],
    now: Timestamp,
) -> StorageResult<Vec<AttemptId>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    const PER: usize = 9;
    let flags: Vec<Option<String>> = rows
        .iter()
        .map(|r| (!r.flags.is_empty()).then(|| serde_json::to_string(r.flags).unwrap_or_default()))
        .collect();
    let sql = format!(
        "WITH v (id, finished_at, finish_reason, used_ms, correct, total, percent, passed, flags) AS \
         (VALUES {}) \
         UPDATE attempts SET status = 'finished', finished_at = v.finished_at, \
         finish_reason = v.finish_reason, used_ms = v.used_ms, segment_start = NULL, \
         segment_last = NULL, left_at = NULL, correct = v.correct, total = v.total, \
         percent = v.percent, passed = v.passed, flags = v.flags, updated_at = ${} \
         FROM v WHERE attempts.id = v.id AND attempts.status = 'in_progress' RETURNING attempts.id",
        value_rows(rows.len(), PER),
        1 + rows.len() * PER
    );
    let sql = c.list_sql(&sql);
    let ended: Vec<(AttemptId,)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(single(rows.len()));
        for (r, flags) in rows.iter().zip(&flags) {
            q = q
                .bind(r.id)
                .bind(r.finished_at)
                .bind(r.reason)
                .bind(r.used_ms)
                .bind(r.score.correct)
                .bind(r.score.total)
                .bind(r.score.percent)
                .bind(r.passed)
                .bind(flags.as_deref());
        }
        q.bind(now).fetch_all(c).await
    })?;
    Ok(ended.into_iter().map(|(id,)| id).collect())
}

/// A finished attempt's result for its person's progress row.
pub struct NewResult {
    pub user: UserId,
    pub cert: CertId,
    pub attempt: AttemptId,
    pub percent: i64,
    pub passed: bool,
}

/// Records finished attempts' results with one statement: the
/// best only if strictly better, the first pass. One attempt per progress row.
pub async fn record_results(c: Conn<'_>, rows: &[NewResult], now: Timestamp) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    const PER: usize = 5;
    let sql = format!(
        "WITH v (user_id, certification_id, attempt_id, percent, passed) AS (VALUES {}) \
         UPDATE certification_progress SET \
           best_attempt_id = CASE WHEN best_percent IS NULL OR v.percent > best_percent \
             THEN v.attempt_id ELSE best_attempt_id END, \
           best_percent = CASE WHEN best_percent IS NULL OR v.percent > best_percent \
             THEN v.percent ELSE best_percent END, \
           passed_at = CASE WHEN v.passed AND passed_at IS NULL THEN ${n} ELSE passed_at END, \
           updated_at = ${} \
         FROM v WHERE certification_progress.user_id = v.user_id \
           AND certification_progress.certification_id = v.certification_id",
        value_rows(rows.len(), PER),
        2 + rows.len() * PER,
        n = 1 + rows.len() * PER
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(single(rows.len()));
        for r in rows {
            q = q
                .bind(r.user)
                .bind(r.cert)
                .bind(r.attempt)
                .bind(r.percent)
                .bind(r.passed);
        }
        q.bind(now)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The progress rows of several people in one certification, without a lock (people without a
/// row are left out).
pub async fn progress_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, Progress)>> {
    progress_rows(c, cert, users, false).await
}
