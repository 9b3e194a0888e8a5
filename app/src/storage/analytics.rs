//! What the certification statistics store when an attempt is scored (answer facts, options
//! chosen, question snapshots) and the SQL aggregates they are read back with. Every sum is
//! an integer, so both backends give the same figures.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::attempt::AskedQuestion;
use crate::domain::stats::{AnswerFact, ItemSums, StatsQuestion};
use crate::domain::{AttemptId, CertId, QuestionId};
use sqlx::types::Json;

/// The scored attempt the facts belong to.
pub struct Scored<'a> {
    pub attempt: AttemptId,
    pub cert: CertId,
    pub first: bool,
    pub asked: &'a [AskedQuestion],
}

/// Stores the facts of one scored attempt (once: a second call changes nothing).
pub async fn record_facts(
    mut c: Conn<'_>,
    s: &Scored<'_>,
    facts: &[AnswerFact],
) -> StorageResult<()> {
    // Bound parameters stay well under SQLite's limit (32,766) for any test length.
    if !facts.is_empty() {
        let rows: Vec<String> = (0..facts.len())
            .map(|k| format!("($1, $2, $3, {})", placeholders(4 + k * 5, 5)))
            .collect();
        let sql = format!(
            "INSERT INTO answer_facts (certification_id, attempt_id, first_attempt, question_index, \
             question_id, revision, is_right, rest) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).bind(s.cert).bind(s.attempt).bind(s.first);
            for f in facts {
                q = q
                    .bind(f.index as i64)
                    .bind(f.question_id)
                    .bind(f.revision)
                    .bind(i32::from(f.right))
                    .bind(f.rest as i32);
            }
            q.execute(c).await.map(|_| ())
        })?;
    }
    let chosen: Vec<(i64, QuestionId, i64, i64)> = facts
        .iter()
        .flat_map(|f| {
            f.chosen
                .iter()
                .map(move |o| (f.index as i64, f.question_id, f.revision, i64::from(*o)))
        })
        .collect();
    if !chosen.is_empty() {
        let rows: Vec<String> = (0..chosen.len())
            .map(|k| format!("($1, $2, $3, {})", placeholders(4 + k * 4, 4)))
            .collect();
        let sql = format!(
            "INSERT INTO answer_option_facts (certification_id, attempt_id, first_attempt, \
             question_index, question_id, revision, option_id) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        on_conn!(c.re(), |c| {
            let mut q = sqlx::query(&sql).bind(s.cert).bind(s.attempt).bind(s.first);
            for (i, qid, rev, o) in &chosen {
                q = q.bind(*i).bind(*qid).bind(*rev).bind(*o);
            }
            q.execute(c).await.map(|_| ())
        })?;
    }
    for q in s.asked {
        let snapshot = Json(StatsQuestion::of(q));
        on_conn!(c.re(), |c| sqlx::query(
            "INSERT INTO stats_questions (certification_id, question_id, revision, snapshot) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"
        )
        .bind(s.cert)
        .bind(q.question_id)
        .bind(q.revision)
        .bind(&snapshot)
        .execute(c)
        .await
        .map(|_| ()))?;
    }
    on_conn!(c, |c| sqlx::query(
        "UPDATE attempts SET facts_recorded = TRUE WHERE id = $1"
    )
    .bind(s.attempt)
    .execute(c)
    .await
    .map(|_| ()))?;
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

/// Per question revision: the sums the facility and the discrimination are made of.
pub async fn item_sums(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
) -> StorageResult<Vec<(QuestionId, i64, ItemSums)>> {
    let rows: Vec<(QuestionId, i64, i64, i64, i64, i64, i64)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT question_id, revision, COUNT(*), CAST(SUM(is_right) AS BIGINT), \
           CAST(SUM(rest) AS BIGINT), CAST(SUM(rest * rest) AS BIGINT), \
           CAST(SUM(is_right * rest) AS BIGINT) \
         FROM answer_facts WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) \
         GROUP BY question_id, revision ORDER BY question_id, revision"
    )
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

/// `(question, revision, bank option id, times chosen)`.
pub async fn option_counts(
    c: Conn<'_>,
    cert: CertId,
    first_only: bool,
) -> StorageResult<Vec<(QuestionId, i64, i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT question_id, revision, option_id, COUNT(*) FROM answer_option_facts \
         WHERE certification_id = $1 AND ($2 = FALSE OR first_attempt = TRUE) \
         GROUP BY question_id, revision, option_id"
    )
    .bind(cert)
    .bind(first_only)
    .fetch_all(c)
    .await)?)
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
) -> StorageResult<AttemptFigures> {
    let all_sql = format!(
        "SELECT {b} AS bucket, COUNT(*) FROM attempts WHERE {SCORED} GROUP BY bucket",
        b = BUCKET.replace("{p}", "percent")
    );
    let all: Vec<(i64, i64)> = on_conn!(c.re(), |c| sqlx::query_as(&all_sql)
        .bind(cert)
        .bind(first_only)
        .fetch_all(c)
        .await)?;
    let best_sql = format!(
        "SELECT {b} AS bucket, COUNT(*) FROM \
           (SELECT MAX(percent) AS best FROM attempts WHERE {SCORED} GROUP BY user_id) t \
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
            "SELECT used_ms FROM attempts WHERE {SCORED} ORDER BY used_ms LIMIT 1 OFFSET $3"
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
           (SELECT MIN(number) AS n FROM attempts WHERE {SCORED} AND passed = TRUE GROUP BY user_id) t"
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
/// read the theory, tried, passed. The people are gathered per kind of assignment (each an
/// index lookup) rather than by testing every person.
pub async fn funnel(c: Conn<'_>, cert: CertId) -> StorageResult<(i64, i64, i64, i64)> {
    let by = |kind: &str, on: &str| {
        format!(
            "SELECT u.id AS user_id FROM certification_assignments a JOIN users u ON {on} \
             WHERE a.certification_id = $1 AND a.target_kind = '{kind}' AND u.status = 'active'"
        )
    };
    let sql = format!(
        "SELECT COUNT(*), COUNT(p.read_version), \
           CAST(COALESCE(SUM(CASE WHEN p.attempts_used > 0 THEN 1 ELSE 0 END), 0) AS BIGINT), \
           COUNT(p.passed_at) \
         FROM ({} UNION {} UNION {} \
               UNION SELECT user_id FROM certification_progress WHERE certification_id = $1) x \
         LEFT JOIN certification_progress p ON p.user_id = x.user_id AND p.certification_id = $1",
        by("branch", "u.branch_id = a.target_id"),
        by("position", "u.position_id = a.target_id"),
        by("user", "u.id = a.target_id"),
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_one(c)
        .await)?)
}
