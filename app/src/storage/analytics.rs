//! What the certification statistics store when an attempt is scored (answer facts, options
//! chosen, question snapshots) and the SQL aggregates they are read back with. Every sum is
//! an integer, so both backends give the same figures.

use super::{Conn, StorageResult, on_conn, placeholders, value_rows};
use crate::domain::attempt::AskedQuestion;
use crate::domain::scope::PeopleScope;
use crate::domain::stats::{AnswerFact, ItemSums, StatsQuestion};
use crate::domain::{AttemptId, CertId, QuestionId};
use sqlx::types::Json;
use std::collections::{HashMap, HashSet};

/// The scored attempt the facts belong to.
pub struct Scored<'a> {
    pub attempt: AttemptId,
    pub cert: CertId,
    pub first: bool,
    pub asked: &'a [AskedQuestion],
}

/// Stores the facts of one scored attempt (once: a second call changes nothing).
pub async fn record_facts(c: Conn<'_>, s: &Scored<'_>, facts: &[AnswerFact]) -> StorageResult<()> {
    record_facts_many(c, &[(s, facts)]).await
}

/// Bound parameters per statement, inside both backends' limits (SQLite 32,766).
const MAX_PARAMS: usize = 30_000;

/// Stores the facts of several scored attempts with one statement per table (chunked only for
/// very long tests); recording an attempt again changes nothing.
pub async fn record_facts_many(
    mut c: Conn<'_>,
    scored: &[(&Scored<'_>, &[AnswerFact])],
) -> StorageResult<()> {
    if scored.is_empty() {
        return Ok(());
    }
    let ids: Vec<AttemptId> = scored.iter().map(|(s, _)| s.attempt).collect();
    // One attempt's statements have the same text each time: kept prepared.
    let one = super::single(scored.len());
    // The branch each person is in as the attempt is scored: its answers count for it.
    let branches: HashMap<AttemptId, i64> = {
        let sql = format!(
            "SELECT a.id, COALESCE(u.branch_id, 0) FROM attempts a JOIN users u ON u.id = a.user_id \
             WHERE a.id IN ({})",
            placeholders(1, ids.len())
        );
        let sql = c.list_sql(&sql);
        let rows: Vec<(AttemptId, i64)> = on_conn!(c.re(), |c| {
            let mut q = sqlx::query_as(&sql).persistent(one);
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        rows.into_iter().collect()
    };
    let facts: Vec<(&Scored<'_>, i64, &AnswerFact)> = scored
        .iter()
        .flat_map(|(s, facts)| {
            let branch = branches.get(&s.attempt).copied().unwrap_or(0);
            facts.iter().map(move |f| (*s, branch, f))
        })
        .collect();
    const FACT: usize = 9;
    for chunk in facts.chunks(MAX_PARAMS / FACT) {
        let sql = format!(
            "INSERT INTO answer_facts (certification_id, attempt_id, first_attempt, branch_id, \
             question_index, question_id, revision, is_right, rest) VALUES {} ON CONFLICT DO NOTHING",
            value_rows(chunk.len(), FACT)
        );
        let sql = c.list_sql(&sql);
        on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).persistent(one);
            for (s, branch, f) in chunk {
                q = q
                    .bind(s.cert)
                    .bind(s.attempt)
                    .bind(s.first)
                    .bind(*branch)
                    .bind(f.index as i64)
                    .bind(f.question_id)
                    .bind(f.revision)
                    .bind(i32::from(f.right))
                    .bind(f.rest as i32);
            }
            q.execute(c).await.map(|_| ())
        })?;
    }
    let chosen: Vec<(&Scored<'_>, i64, &AnswerFact, i64)> = facts
        .iter()
        .flat_map(|(s, branch, f)| {
            f.chosen
                .iter()
                .map(move |o| (*s, *branch, *f, i64::from(*o)))
        })
        .collect();
    const OPTION: usize = 8;
    for chunk in chosen.chunks(MAX_PARAMS / OPTION) {
        let sql = format!(
            "INSERT INTO answer_option_facts (certification_id, attempt_id, first_attempt, branch_id, \
             question_index, question_id, revision, option_id) VALUES {} ON CONFLICT DO NOTHING",
            value_rows(chunk.len(), OPTION)
        );
        let sql = c.list_sql(&sql);
        on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).persistent(one);
            for (s, branch, f, o) in chunk {
                q = q
                    .bind(s.cert)
                    .bind(s.attempt)
                    .bind(s.first)
                    .bind(*branch)
                    .bind(f.index as i64)
                    .bind(f.question_id)
                    .bind(f.revision)
                    .bind(*o);
            }
            q.execute(c).await.map(|_| ())
        })?;
    }
    // Each question's snapshot once (attempts of one certification mostly share them).
    let mut seen = HashSet::new();
    let snapshots: Vec<(CertId, &AskedQuestion)> = scored
        .iter()
        .flat_map(|(s, _)| s.asked.iter().map(move |q| (s.cert, q)))
        .filter(|(cert, q)| seen.insert((*cert, q.question_id, q.revision)))
        .collect();
    const SNAPSHOT: usize = 4;
    for chunk in snapshots.chunks(MAX_PARAMS / SNAPSHOT) {
        let sql = format!(
            "INSERT INTO stats_questions (certification_id, question_id, revision, snapshot) \
             VALUES {} ON CONFLICT DO NOTHING",
            value_rows(chunk.len(), SNAPSHOT)
        );
        let sql = c.list_sql(&sql);
        on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).persistent(one);
            for (cert, asked) in chunk {
                q = q
                    .bind(*cert)
                    .bind(asked.question_id)
                    .bind(asked.revision)
                    .bind(Json(StatsQuestion::of(asked)));
            }
            q.execute(c).await.map(|_| ())
        })?;
    }
    let sql = format!(
        "UPDATE attempts SET facts_recorded = TRUE WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(one);
        for id in &ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|_| ())
    })?;
    Ok(())
}

/// Scored attempts without facts yet (scored before the facts existed), oldest first.
pub async fn unrecorded(
    c: Conn<'_>,
    limit: i64,
) -> StorageResult<Vec<(AttemptId, CertId, i64, Json<Vec<AskedQuestion>>)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, certification_id, number, questions FROM attempts \
         WHERE facts_recorded = FALSE AND status = 'finished' AND percent IS NOT NULL \
         ORDER BY id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Per question revision: the sums the facility and the discrimination are made of, from
/// the kept sums and the deltas not folded into them yet.
pub async fn item_sums(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> StorageResult<Vec<(QuestionId, i64, ItemSums)>> {
    const SUMS: &str = "certification_id, branch_id, question_id, revision, first_attempt, n, \
                        right_n, rest, rest_sq, right_rest";
    let sql = format!(
        "SELECT question_id, revision, CAST(SUM(n) AS BIGINT), CAST(SUM(right_n) AS BIGINT), \
           CAST(SUM(rest) AS BIGINT), CAST(SUM(rest_sq) AS BIGINT), \
           CAST(SUM(right_rest) AS BIGINT) \
         FROM (SELECT {SUMS} FROM stats_item_sums UNION ALL \
               SELECT {SUMS} FROM stats_item_sum_deltas) k \
         WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) AND {} \
         GROUP BY question_id, revision HAVING SUM(n) <> 0 ORDER BY question_id, revision",
        scope.sql("branch_id")
    );
    sums_of(c, &sql, cert, first_only).await
}

/// [`item_sums`] summed from the facts themselves (what the kept sums must equal: tests and
/// the benchmark).
pub async fn item_sums_recounted(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> StorageResult<Vec<(QuestionId, i64, ItemSums)>> {
    let sql = format!(
        "SELECT question_id, revision, COUNT(*), CAST(SUM(is_right) AS BIGINT), \
           CAST(SUM(rest) AS BIGINT), CAST(SUM(rest * rest) AS BIGINT), \
           CAST(SUM(is_right * rest) AS BIGINT) \
         FROM answer_facts WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) \
           AND {} \
         GROUP BY question_id, revision ORDER BY question_id, revision",
        scope.sql("branch_id")
    );
    sums_of(c, &sql, cert, first_only).await
}

/// The condition on `user_id` that keeps the people `scope` sees.
fn people_of(scope: &PeopleScope) -> String {
    match scope {
        PeopleScope::Everyone => "TRUE".into(),
        scope => format!(
            "user_id IN (SELECT u.id FROM users u WHERE {})",
            scope.sql("u.branch_id")
        ),
    }
}

async fn sums_of(
    c: Conn<'_>,
    sql: &str,
    cert: CertId,
    first_only: bool,
) -> StorageResult<Vec<(QuestionId, i64, ItemSums)>> {
    let rows: Vec<(QuestionId, i64, i64, i64, i64, i64, i64)> =
        on_conn!(c, |c| sqlx::query_as(sql)
            .bind(cert)
            .bind(first_only)
            .fetch_all(c)
            .await)?;
    Ok(rows
        .into_iter()
        .map(|(q, r, n, right, rest, rest_sq, right_rest)| {
            (
                q,
                r,
                ItemSums {
                    n,
                    right,
                    rest,
                    rest_sq,
                    right_rest,
                },
            )
        })
        .collect())
}

/// `(question, revision, bank option id, times chosen)`, from the kept counts and their
/// deltas, ordered.
pub async fn option_counts(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> StorageResult<Vec<(QuestionId, i64, i64, i64)>> {
    const COUNTS: &str =
        "certification_id, branch_id, question_id, revision, option_id, first_attempt, n";
    let sql = format!(
        "SELECT question_id, revision, option_id, CAST(SUM(n) AS BIGINT) \
         FROM (SELECT {COUNTS} FROM stats_option_counts UNION ALL \
               SELECT {COUNTS} FROM stats_option_count_deltas) k \
         WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) AND {} \
         GROUP BY question_id, revision, option_id HAVING SUM(n) <> 0 \
         ORDER BY question_id, revision, option_id",
        scope.sql("branch_id")
    );
    option_counts_of(c, &sql, cert, first_only).await
}

/// [`option_counts`] counted from the facts themselves.
pub async fn option_counts_recounted(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> StorageResult<Vec<(QuestionId, i64, i64, i64)>> {
    let sql = format!(
        "SELECT question_id, revision, option_id, COUNT(*) FROM answer_option_facts \
         WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) AND {} \
         GROUP BY question_id, revision, option_id ORDER BY question_id, revision, option_id",
        scope.sql("branch_id")
    );
    option_counts_of(c, &sql, cert, first_only).await
}

async fn option_counts_of(
    c: Conn<'_>,
    sql: &str,
    cert: CertId,
    first_only: bool,
) -> StorageResult<Vec<(QuestionId, i64, i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(sql)
        .bind(cert)
        .bind(first_only)
        .fetch_all(c)
        .await)?)
}

/// Folds the deltas of the kept sums into the sums (PostgreSQL's triggers append them; a
/// leader job calls this): how many deltas were folded.
pub async fn fold_sums(c: Conn<'_>) -> StorageResult<u64> {
    // Only the deltas this statement sees are moved; one committed meanwhile waits for the
    // next fold, and a read in between adds it from the deltas.
    const ITEMS: &str = "WITH d AS (DELETE FROM stats_item_sum_deltas RETURNING \
           certification_id, branch_id, question_id, revision, first_attempt, n, right_n, rest, \
           rest_sq, right_rest), \
         s AS (SELECT certification_id, branch_id, question_id, revision, first_attempt, \
           CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(right_n) AS BIGINT) AS right_n, \
           CAST(SUM(rest) AS BIGINT) AS rest, CAST(SUM(rest_sq) AS BIGINT) AS rest_sq, \
           CAST(SUM(right_rest) AS BIGINT) AS right_rest, COUNT(*) AS deltas \
           FROM d GROUP BY 1, 2, 3, 4, 5), \
         f AS (INSERT INTO stats_item_sums (certification_id, branch_id, question_id, revision, \
             first_attempt, n, right_n, rest, rest_sq, right_rest) \
           SELECT certification_id, branch_id, question_id, revision, first_attempt, n, right_n, \
             rest, rest_sq, right_rest FROM s \
           ON CONFLICT (certification_id, branch_id, question_id, revision, first_attempt) \
           DO UPDATE SET \
             n = stats_item_sums.n + excluded.n, \
             right_n = stats_item_sums.right_n + excluded.right_n, \
             rest = stats_item_sums.rest + excluded.rest, \
             rest_sq = stats_item_sums.rest_sq + excluded.rest_sq, \
             right_rest = stats_item_sums.right_rest + excluded.right_rest) \
         SELECT CAST(COALESCE(SUM(deltas), 0) AS BIGINT) FROM s";
    const OPTIONS: &str = "WITH d AS (DELETE FROM stats_option_count_deltas RETURNING \
           certification_id, branch_id, question_id, revision, option_id, first_attempt, n), \
         s AS (SELECT certification_id, branch_id, question_id, revision, option_id, \
           first_attempt, CAST(SUM(n) AS BIGINT) AS n, COUNT(*) AS deltas FROM d \
           GROUP BY 1, 2, 3, 4, 5, 6), \
         f AS (INSERT INTO stats_option_counts (certification_id, branch_id, question_id, \
             revision, option_id, first_attempt, n) \
           SELECT certification_id, branch_id, question_id, revision, option_id, first_attempt, \
             n FROM s \
           ON CONFLICT (certification_id, branch_id, question_id, revision, option_id, \
             first_attempt) \
           DO UPDATE SET n = stats_option_counts.n + excluded.n) \
         SELECT CAST(COALESCE(SUM(deltas), 0) AS BIGINT) FROM s";
    super::fold_deltas(c, &[ITEMS, OPTIONS]).await
}

pub async fn questions(
    c: Conn<'_>,
    cert: CertId,
) -> StorageResult<Vec<(QuestionId, i64, Json<StatsQuestion>)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT question_id, revision, snapshot FROM stats_questions WHERE certification_id = $1"
    )
    .bind(cert)
    .fetch_all(c)
    .await)?)
}

/// The attempts the statistics count: scored ones (an attempt a reset ended unscored is not).
const SCORED: &str = "certification_id = $1 AND status = 'finished' AND percent IS NOT NULL \
                      AND ($2 = FALSE OR number = 1)";
const BUCKET: &str = "CASE WHEN {p} >= 90 THEN 9 WHEN {p} < 0 THEN 0 ELSE {p} / 10 END";

/// Attempt-level figures of the scored attempts.
#[derive(Debug, Clone, Default)]
pub struct AttemptFigures {
    pub attempts: i64,
    /// `(bucket 0–9, count)`.
    pub all: Vec<(i64, i64)>,
    pub best: Vec<(i64, i64)>,
    pub median_used_ms: Option<i64>,
    /// Over those who passed: Σ of the number of the attempt that passed, and how many.
    pub pass_number_sum: i64,
    pub passers: i64,
}

pub async fn attempt_figures(
    mut c: Conn<'_>,
    cert: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> StorageResult<AttemptFigures> {
    let scored = format!("{SCORED} AND {}", people_of(scope));
    let scored = scored.as_str();
    let all_sql = format!(
        "SELECT {b} AS bucket, COUNT(*) FROM attempts WHERE {scored} GROUP BY bucket",
        b = BUCKET.replace("{p}", "percent")
    );
    let all: Vec<(i64, i64)> = on_conn!(c.re(), |c| sqlx::query_as(&all_sql)
        .bind(cert)
        .bind(first_only)
        .fetch_all(c)
        .await)?;
    let best_sql = format!(
        "SELECT {b} AS bucket, COUNT(*) FROM \
           (SELECT MAX(percent) AS best FROM attempts WHERE {scored} GROUP BY user_id) t \
         GROUP BY bucket",
        b = BUCKET.replace("{p}", "best")
    );
    let best: Vec<(i64, i64)> = on_conn!(c.re(), |c| sqlx::query_as(&best_sql)
        .bind(cert)
        .bind(first_only)
        .fetch_all(c)
        .await)?;
    let attempts: i64 = all.iter().map(|(_, n)| n).sum();
    let median_used_ms = if attempts == 0 {
        None
    } else {
        let sql = format!(
            "SELECT used_ms FROM attempts WHERE {scored} ORDER BY used_ms LIMIT 1 OFFSET $3"
        );
        let row: Option<(i64,)> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
            .bind(cert)
            .bind(first_only)
            .bind((attempts - 1) / 2)
            .fetch_optional(c)
            .await)?;
        row.map(|r| r.0)
    };
    let pass_sql = format!(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), COUNT(*) FROM \
           (SELECT MIN(number) AS n FROM attempts WHERE {scored} AND passed = TRUE GROUP BY user_id) t"
    );
    let (pass_number_sum, passers): (i64, i64) = on_conn!(c, |c| sqlx::query_as(&pass_sql)
        .bind(cert)
        .bind(first_only)
        .fetch_one(c)
        .await)?;
    Ok(AttemptFigures {
        attempts,
        all,
        best,
        median_used_ms,
        pass_number_sum,
        passers,
    })
}

/// The funnel over the results' people (assigned and active, or with progress): how many,
/// read the theory, tried, passed. The stages are counted from the certification's progress
/// rows; to them come the people assigned (by branch, position or name) and active who have
/// no progress row yet, each counted once.
pub async fn funnel(
    c: Conn<'_>,
    cert: CertId,
    scope: &PeopleScope,
) -> StorageResult<(i64, i64, i64, i64)> {
    let sql = format!(
        "SELECT COUNT(*) + (SELECT COUNT(*) FROM users u WHERE u.status = 'active' AND {} \
           AND (u.branch_id IN (SELECT target_id FROM certification_assignments \
                  WHERE certification_id = $1 AND target_kind = 'branch') \
             OR u.position_id IN (SELECT target_id FROM certification_assignments \
                  WHERE certification_id = $1 AND target_kind = 'position') \
             OR u.id IN (SELECT target_id FROM certification_assignments \
                  WHERE certification_id = $1 AND target_kind = 'user')) \
           AND NOT EXISTS (SELECT 1 FROM certification_progress q \
                  WHERE q.user_id = u.id AND q.certification_id = $1)), \
           COUNT(read_version), \
           CAST(COALESCE(SUM(CASE WHEN attempts_used > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
           COUNT(passed_at) \
         FROM certification_progress WHERE certification_id = $1 AND {}",
        scope.sql("u.branch_id"),
        people_of(scope)
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_one(c)
        .await)?)
}
