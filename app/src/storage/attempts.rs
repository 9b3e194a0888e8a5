//! Theory reading, attempts, answers and per-user progress.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::attempt::{AnswerShape, AskedQuestion, AttemptClock, Score};
use crate::domain::certification::TimerMode;
use crate::domain::scope::PeopleScope;
use crate::domain::{AttemptId, BlockId, CertId, Timestamp, UserId};
use crate::model::taking::{AttemptSummary, ResultRow};
use sqlx::types::Json;

// ---- progress and reading ----

#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Progress {
    pub current_block_id: Option<BlockId>,
    pub current_since: Option<Timestamp>,
    pub read_version: Option<i64>,
    pub read_at: Option<Timestamp>,
    pub attempts_used: i64,
    pub best_percent: Option<i64>,
    pub best_attempt_id: Option<AttemptId>,
    pub passed_at: Option<Timestamp>,
    pub resets: i64,
}

const PROGRESS_COLUMNS: &str = "current_block_id, current_since, read_version, read_at, attempts_used, \
     best_percent, best_attempt_id, passed_at, resets";

pub async fn progress(c: Conn<'_>, user: UserId, cert: CertId) -> StorageResult<Option<Progress>> {
    progress_row(c, user, cert, "").await
}

/// The progress row, locked on PostgreSQL until the transaction ends, so that starts, finishes
/// and resets of one person's certification apply one after the other.
pub async fn progress_for_update(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
) -> StorageResult<Option<Progress>> {
    let lock = lock_clause(&c);
    progress_row(c, user, cert, lock).await
}

async fn progress_row(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    lock: &str,
) -> StorageResult<Option<Progress>> {
    let sql = format!(
        "SELECT {PROGRESS_COLUMNS} FROM certification_progress WHERE user_id = $1 AND certification_id = $2{lock}"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .bind(cert)
        .fetch_optional(c)
        .await)?)
}

/// The progress row, created empty if missing.
pub async fn ensure_progress(
    mut c: Conn<'_>,
    user: UserId,
    cert: CertId,
    now: Timestamp,
) -> StorageResult<Progress> {
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO certification_progress (user_id, certification_id, attempts_used, resets, created_at, updated_at) \
         VALUES ($1, $2, 0, 0, $3, $3) ON CONFLICT DO NOTHING"
    )
    .bind(user)
    .bind(cert)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(progress(c, user, cert).await?.unwrap_or_default())
}

/// Records that `block` is on screen from `now`; the block shown before gets its time.
pub async fn show_block(
    mut c: Conn<'_>,
    user: UserId,
    cert: CertId,
    block: BlockId,
    now: Timestamp,
) -> StorageResult<()> {
    let p = ensure_progress(c.re(), user, cert, now).await?;
    if let (Some(prev), Some(since)) = (p.current_block_id, p.current_since) {
        add_dwell(
            c.re(),
            user,
            cert,
            prev,
            (now.millis() - since.millis()).max(0),
            now,
        )
        .await?;
    }
    add_dwell(c.re(), user, cert, block, 0, now).await?;
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE certification_progress SET current_block_id = $3, current_since = $4, updated_at = $4 \
         WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .bind(block)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn add_dwell(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    block: BlockId,
    ms: i64,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO theory_reading (user_id, certification_id, block_id, dwell_ms, first_shown_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $5) \
         ON CONFLICT (user_id, certification_id, block_id) DO UPDATE SET \
         dwell_ms = theory_reading.dwell_ms + $4, updated_at = $5"
    )
    .bind(user)
    .bind(cert)
    .bind(block)
    .bind(ms)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Time each block has been on screen (blocks never shown are absent).
pub async fn dwell(c: Conn<'_>, user: UserId, cert: CertId) -> StorageResult<Vec<(BlockId, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT block_id, dwell_ms FROM theory_reading WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .fetch_all(c)
    .await)?)
}

pub async fn mark_read(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    version: i64,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE certification_progress SET read_version = $3, read_at = $4, updated_at = $4 \
         WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .bind(version)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// An attempt started: it uses one attempt, and the page on screen is no longer counted (the
/// user went to the test).
pub async fn attempt_started(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE certification_progress SET attempts_used = attempts_used + 1, current_block_id = NULL, \
         current_since = NULL, updated_at = $3 WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ---- attempts ----

/// An attempt without its question snapshot (what saving an answer needs).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttemptLite {
    pub id: AttemptId,
    pub user_id: UserId,
    pub certification_id: CertId,
    pub number: i64,
    pub status: String,
    #[sqlx(try_from = "String")]
    pub timer_mode: TimerMode,
    pub time_limit_ms: i64,
    pub started_at: Timestamp,
    pub used_ms: i64,
    pub segment_start: Option<Timestamp>,
    pub segment_last: Option<Timestamp>,
    pub current_index: i64,
    #[sqlx(json)]
    pub shapes: Vec<AnswerShape>,
    pub pass_threshold: i64,
    pub finished_at: Option<Timestamp>,
    pub finish_reason: Option<String>,
    pub correct: Option<i64>,
    pub total: Option<i64>,
    pub percent: Option<i64>,
    pub passed: Option<bool>,
    pub reset_at: Option<Timestamp>,
    pub left_at: Option<Timestamp>,
    /// The certification's status now (a closed certification ends its running attempts).
    pub cert_status: String,
}

impl AttemptLite {
    pub fn clock(&self) -> AttemptClock {
        AttemptClock {
            mode: self.timer_mode,
            started_at: self.started_at,
            limit_ms: self.time_limit_ms,
            used_ms: self.used_ms,
            segment_start: self.segment_start,
            segment_last: self.segment_last,
            left_at: self.left_at,
        }
    }

    pub fn in_progress(&self) -> bool {
        self.status == "in_progress"
    }

    /// Answers are taken: in progress, and the certification has not been closed.
    pub fn running(&self) -> bool {
        self.in_progress() && self.cert_status != "closed"
    }

    /// In progress but over: the time ran out (grace included) or the certification closed.
    /// The server finishes such an attempt as timed out.
    pub fn must_end(&self, now: Timestamp) -> bool {
        self.in_progress() && (self.cert_status == "closed" || self.clock().must_finish(now))
    }
}

const LITE: &str = "id, user_id, certification_id, number, status, timer_mode, time_limit_ms, started_at, \
     used_ms, segment_start, segment_last, current_index, shapes, pass_threshold, finished_at, \
     finish_reason, correct, total, percent, passed, reset_at, left_at, \
     (SELECT c.status FROM certifications c WHERE c.id = attempts.certification_id) AS cert_status";

fn lock_clause(c: &Conn<'_>) -> &'static str {
    match c {
        Conn::Sqlite(_) => "",
        Conn::Postgres(_) => " FOR UPDATE",
    }
}

pub async fn get(c: Conn<'_>, id: AttemptId) -> StorageResult<Option<AttemptLite>> {
    let sql = format!("SELECT {LITE} FROM attempts WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Reads the attempt and, on PostgreSQL, locks it until the transaction ends, so two devices
/// updating one attempt apply one after the other.
pub async fn get_for_update(c: Conn<'_>, id: AttemptId) -> StorageResult<Option<AttemptLite>> {
    let sql = format!(
        "SELECT {LITE} FROM attempts WHERE id = $1{}",
        lock_clause(&c)
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

pub async fn in_progress(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
) -> StorageResult<Option<AttemptLite>> {
    let sql = format!(
        "SELECT {LITE} FROM attempts WHERE user_id = $1 AND certification_id = $2 AND status = 'in_progress'"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .bind(cert)
        .fetch_optional(c)
        .await)?)
}

pub async fn questions(c: Conn<'_>, id: AttemptId) -> StorageResult<Vec<AskedQuestion>> {
    let row: Option<(Json<Vec<AskedQuestion>>,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT questions FROM attempts WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0.0).unwrap_or_default())
}

/// The questions each earlier attempt of `user` in `cert` asked (resets included), by the
/// attempt's number.
pub async fn shown_questions(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
) -> StorageResult<Vec<(i64, Vec<AskedQuestion>)>> {
    let rows: Vec<(i64, Json<Vec<AskedQuestion>>)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT number, questions FROM attempts WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(n, q)| (n, q.0)).collect())
}

pub struct NewAttempt<'a> {
    pub user: UserId,
    pub cert: CertId,
    pub number: i64,
    pub clock: AttemptClock,
    pub seed: u64,
    pub questions: &'a [AskedQuestion],
    pub pass_threshold: i64,
}

/// Inserts the attempt unless one is already in progress (then nothing happens: the unique
/// index makes concurrent starts safe). Returns the new id, if inserted.
pub async fn insert(
    c: Conn<'_>,
    a: &NewAttempt<'_>,
    now: Timestamp,
) -> StorageResult<Option<AttemptId>> {
    let shapes: Vec<AnswerShape> = a.questions.iter().map(AnswerShape::of).collect();
    let deadline = match a.clock.mode {
        TimerMode::Continuous => Some(Timestamp(a.clock.started_at.millis() + a.clock.limit_ms)),
        TimerMode::PauseWhileAway => None,
    };
    let row: Option<(AttemptId,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO attempts (user_id, certification_id, number, status, timer_mode, time_limit_ms, started_at, \
         used_ms, segment_start, segment_last, deadline_at, current_index, seed, questions, shapes, pass_threshold, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, 'in_progress', $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $15) \
         ON CONFLICT DO NOTHING RETURNING id"
    )
    .bind(a.user)
    .bind(a.cert)
    .bind(a.number)
    .bind(a.clock.mode.as_str())
    .bind(a.clock.limit_ms)
    .bind(a.clock.started_at)
    .bind(a.clock.used_ms)
    .bind(a.clock.segment_start)
    .bind(a.clock.segment_last)
    .bind(deadline)
    .bind(a.seed.to_string())
    .bind(Json(a.questions))
    .bind(Json(&shapes))
    .bind(a.pass_threshold)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| r.0))
}

pub async fn save_clock(
    c: Conn<'_>,
    id: AttemptId,
    clock: &AttemptClock,
    current_index: i64,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE attempts SET used_ms = $2, segment_start = $3, segment_last = $4, current_index = $5, updated_at = $6, \
         left_at = $7 WHERE id = $1 AND status = 'in_progress'"
    )
    .bind(id)
    .bind(clock.used_ms)
    .bind(clock.segment_start)
    .bind(clock.segment_last)
    .bind(current_index)
    .bind(now)
    .bind(clock.left_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn save_answer(
    c: Conn<'_>,
    id: AttemptId,
    index: i64,
    answer: &[u32],
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO attempt_answers (attempt_id, question_index, answer, answered_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4, $4) \
         ON CONFLICT (attempt_id, question_index) DO UPDATE SET answer = $3, answered_at = $4, updated_at = $4"
    )
    .bind(id)
    .bind(index)
    .bind(Json(answer))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The answers of an attempt by question index (`len` entries, `None` when unanswered).
pub async fn answers(
    c: Conn<'_>,
    id: AttemptId,
    len: usize,
) -> StorageResult<Vec<Option<Vec<u32>>>> {
    let rows: Vec<(i64, Json<Vec<u32>>)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT question_index, answer FROM attempt_answers WHERE attempt_id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    let mut out = vec![None; len];
    for (i, a) in rows {
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some(a.0);
        }
    }
    Ok(out)
}

/// Finishes the attempt if it is still in progress; returns whether it did.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    c: Conn<'_>,
    id: AttemptId,
    finished_at: Timestamp,
    reason: &str,
    clock: &AttemptClock,
    score: Score,
    passed: bool,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE attempts SET status = 'finished', finished_at = $2, finish_reason = $3, used_ms = $4, \
         segment_start = NULL, segment_last = NULL, left_at = NULL, correct = $5, total = $6, percent = $7, \
         passed = $8, updated_at = $9 \
         WHERE id = $1 AND status = 'in_progress'"
    )
    .bind(id)
    .bind(finished_at)
    .bind(reason)
    .bind(clock.used(finished_at.max(now)).min(clock.limit_ms))
    .bind(score.correct)
    .bind(score.total)
    .bind(score.percent)
    .bind(passed)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Records a finished attempt's result: the best only if strictly better, the first pass.
pub async fn record_result(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    attempt: AttemptId,
    percent: i64,
    passed: bool,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE certification_progress SET \
           best_attempt_id = CASE WHEN best_percent IS NULL OR $4 > best_percent THEN $3 ELSE best_attempt_id END, \
           best_percent = CASE WHEN best_percent IS NULL OR $4 > best_percent THEN $4 ELSE best_percent END, \
           passed_at = CASE WHEN $5 AND passed_at IS NULL THEN $6 ELSE passed_at END, \
           updated_at = $6 \
         WHERE user_id = $1 AND certification_id = $2"
    )
    .bind(user)
    .bind(cert)
    .bind(attempt)
    .bind(percent)
    .bind(passed)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn history(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
) -> StorageResult<Vec<AttemptSummary>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, number, status, started_at, finished_at, finish_reason, used_ms, percent, passed, reset_at \
         FROM attempts WHERE user_id = $1 AND certification_id = $2 ORDER BY id DESC"
    )
    .bind(user)
    .bind(cert)
    .fetch_all(c)
    .await
    })?)
}

/// Attempts in progress whose time may have run out (the service decides with the rules).
pub async fn overdue_candidates(
    c: Conn<'_>,
    now: Timestamp,
    grace_ms: i64,
    presence_ms: i64,
) -> StorageResult<Vec<AttemptId>> {
    let rows: Vec<(AttemptId,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT id FROM attempts WHERE status = 'in_progress' AND ( \
           (deadline_at IS NOT NULL AND deadline_at + $2 < $1) OR \
           (deadline_at IS NULL AND segment_start IS NOT NULL AND \
            used_ms + (segment_last - segment_start) + $3 > time_limit_ms + $2) OR \
           certification_id IN (SELECT id FROM certifications WHERE status = 'closed')) \
         LIMIT 500"
    )
    .bind(now)
    .bind(grace_ms)
    .bind(presence_ms)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A reset: attempts are kept in history marked as reset, the progress starts over.
pub async fn reset(
    mut c: Conn<'_>,
    user: UserId,
    cert: CertId,
    require_reread: bool,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query(
        "UPDATE attempts SET reset_at = $3, updated_at = $3, \
           status = 'finished', \
           finished_at = COALESCE(finished_at, $3), \
           finish_reason = COALESCE(finish_reason, 'reset') \
         WHERE user_id = $1 AND certification_id = $2 AND reset_at IS NULL"
    )
    .bind(user)
    .bind(cert)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let reread = if require_reread {
        ", read_version = NULL, read_at = NULL, current_block_id = NULL, current_since = NULL"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE certification_progress SET attempts_used = 0, best_percent = NULL, best_attempt_id = NULL, \
         resets = resets + 1, updated_at = $3{reread} WHERE user_id = $1 AND certification_id = $2"
    );
    on_conn!(c.re(), |c| sqlx::query(&sql)
        .bind(user)
        .bind(cert)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if require_reread {
        on_conn!(c, |c| sqlx::query(
            "DELETE FROM theory_reading WHERE user_id = $1 AND certification_id = $2"
        )
        .bind(user)
        .bind(cert)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn results(
    c: Conn<'_>,
    cert: CertId,
    scope: &PeopleScope,
) -> StorageResult<Vec<ResultRow>> {
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "$1");
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT u.id AS user_id, u.first_name, u.last_name, p.read_version, p.attempts_used, p.best_percent, \
           p.passed_at, p.resets, \
           (SELECT COUNT(*) FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $1 AND a.status = 'in_progress') AS in_progress \
         FROM users u LEFT JOIN certification_progress p ON p.user_id = u.id AND p.certification_id = $1 \
         WHERE ((u.status = 'active' AND {assigned}) OR p.user_id IS NOT NULL) AND {visible} \
         ORDER BY u.last_name, u.first_name, u.id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_all(c)
        .await)?)
}

/// Where a person stands in every certification they have progress in.
pub async fn person_results(
    c: Conn<'_>,
    user: UserId,
) -> StorageResult<Vec<crate::model::taking::PersonResult>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT p.certification_id, c.title, p.read_version, p.attempts_used, c.max_attempts, \
         p.best_percent, p.passed_at, p.resets FROM certification_progress p \
         JOIN certifications c ON c.id = p.certification_id WHERE p.user_id = $1 \
         ORDER BY p.certification_id"
    )
    .bind(user)
    .fetch_all(c)
    .await)?)
}

/// A certification as "My certifications" lists it for one user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MyCertRow {
    pub id: CertId,
    pub title: String,
    pub status: String,
    pub pass_threshold: i64,
    pub max_attempts: i64,
    pub time_limit_secs: i64,
    pub closes_at: Option<Timestamp>,
    pub read_version: Option<i64>,
    pub attempts_used: Option<i64>,
    pub best_percent: Option<i64>,
    pub passed: bool,
    pub attempt_id: Option<AttemptId>,
}

/// Open and closed certifications assigned to the user (or that the user has progress in).
pub async fn my_certifications(c: Conn<'_>, user: UserId) -> StorageResult<Vec<MyCertRow>> {
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let sql = format!(
        "SELECT c.id, c.title, c.status, c.pass_threshold, c.max_attempts, c.time_limit_secs, c.closes_at, \
           p.read_version, p.attempts_used, p.best_percent, (p.passed_at IS NOT NULL) AS passed, \
           a.id AS attempt_id \
         FROM certifications c \
         JOIN users u ON u.id = $1 \
         LEFT JOIN certification_progress p ON p.certification_id = c.id AND p.user_id = u.id \
         LEFT JOIN attempts a ON a.certification_id = c.id AND a.user_id = u.id AND a.status = 'in_progress' \
         WHERE c.status IN ('open', 'closed') AND ({assigned} OR p.user_id IS NOT NULL) \
         ORDER BY c.id DESC"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .fetch_all(c)
        .await)?)
}

/// Whether the certification is assigned to the user.
pub async fn is_assigned(c: Conn<'_>, user: UserId, cert: CertId) -> StorageResult<bool> {
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "$2");
    let sql = format!("SELECT COUNT(*) FROM users u WHERE u.id = $1 AND {assigned}");
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .bind(cert)
        .fetch_one(c)
        .await)?;
    Ok(n.0 > 0)
}

// ---- batched clock touches (answers and heartbeats of many attempts in one transaction) ----

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
    let values = (0..rows.len())
        .map(|i| format!("({})", placeholders(1 + i * COLS, COLS)))
        .collect::<Vec<_>>()
        .join(", ");
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
    rows: &[(AttemptId, AttemptClock, i64)],
    now: Timestamp,
) -> StorageResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // One row of values per attempt, joined to its row: linear in the batch, where a `CASE`
    // per column would test every attempt's id against every row.
    const PER: usize = 6;
    let values = (0..rows.len())
        .map(|i| format!("({})", placeholders(1 + i * PER, PER)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH v (id, used_ms, segment_start, segment_last, current_index, left_at) AS \
         (VALUES {values}) \
         UPDATE attempts SET used_ms = v.used_ms, segment_start = v.segment_start, \
         segment_last = v.segment_last, current_index = v.current_index, left_at = v.left_at, \
         updated_at = ${} \
         FROM v WHERE attempts.id = v.id AND attempts.status = 'in_progress'",
        1 + rows.len() * PER
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(false);
        for (id, clock, index) in rows {
            q = q
                .bind(*id)
                .bind(clock.used_ms)
                .bind(clock.segment_start)
                .bind(clock.segment_last)
                .bind(*index)
                .bind(clock.left_at);
        }
        q.bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}
