//! One attempt: its row, questions, clock, answers and its end.

use super::*;

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
    pub away_limit_ms: Option<i64>,
    /// JSON of [`Shown`]; `NULL` for attempts started before questions were revealed one by one.
    pub shown: Option<String>,
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
            away_limit_ms: self.away_limit_ms,
        }
    }

    /// When each question was first shown; `None` for an attempt that shows every question.
    pub fn shown(&self) -> Option<Shown> {
        self.shown
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }

    /// Why the server ends this attempt now, if it must (see [`AttemptLite::must_end`]).
    pub fn end_reason(&self, now: Timestamp) -> Option<&'static str> {
        if !self.in_progress() {
            return None;
        }
        if self.cert_status == "closed" {
            return Some("timeout");
        }
        self.clock().end_reason(now)
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
        self.end_reason(now).is_some()
    }
}

pub(super) const LITE: &str = "id, user_id, certification_id, number, status, timer_mode, time_limit_ms, started_at, \
     used_ms, segment_start, segment_last, current_index, shapes, pass_threshold, finished_at, \
     finish_reason, correct, total, percent, passed, reset_at, left_at, away_limit_ms, shown, \
     (SELECT c.status FROM certifications c WHERE c.id = attempts.certification_id) AS cert_status";

pub(super) fn lock_clause(c: &Conn<'_>) -> &'static str {
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

/// Question `index` (from 0) of the attempt: the database picks it out of the attempt's list,
/// so moving to a question does not parse the whole test.
pub async fn question(
    c: Conn<'_>,
    id: AttemptId,
    index: i32,
) -> StorageResult<Option<AskedQuestion>> {
    let row: Option<(Option<Json<AskedQuestion>>,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT questions -> $2 FROM attempts WHERE id = $1"
    )
    .bind(id)
    .bind(index)
    .fetch_optional(c)
    .await)?;
    Ok(row.and_then(|r| r.0).map(|q| q.0))
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

/// [`shown_questions`] of several people in one certification: (person, attempt number,
/// questions), one statement.
pub async fn shown_questions_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, i64, Vec<AskedQuestion>)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, number, questions FROM attempts \
         WHERE certification_id = $1 AND user_id IN ({})",
        placeholders(2, users.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(UserId, i64, Json<Vec<AskedQuestion>>)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false).bind(cert);
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|(u, n, q)| (u, n, q.0)).collect())
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
    let inserted = insert_many(c, std::slice::from_ref(a), now).await?;
    Ok(inserted.first().map(|(_, _, id)| *id))
}

/// Inserts several attempts with one statement; each is skipped when its person already has
/// one in progress in that certification. Returns (person, certification, id) of those
/// inserted, in no particular order.
pub async fn insert_many(
    c: Conn<'_>,
    rows: &[NewAttempt<'_>],
    now: Timestamp,
) -> StorageResult<Vec<(UserId, CertId, AttemptId)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    struct Derived {
        shapes: Vec<AnswerShape>,
        shown: String,
        deadline: Option<Timestamp>,
    }
    let derived: Vec<Derived> = rows
        .iter()
        .map(|a| {
            // The attempt opens on its first question.
            let mut first: Shown = vec![None; a.questions.len()];
            crate::domain::attempt::reveal(&mut first, 0, now);
            Derived {
                shapes: a.questions.iter().map(AnswerShape::of).collect(),
                shown: serde_json::to_string(&first).unwrap_or_default(),
                deadline: match a.clock.mode {
                    TimerMode::Continuous => {
                        Some(Timestamp(a.clock.started_at.millis() + a.clock.limit_ms))
                    }
                    TimerMode::PauseWhileAway => None,
                },
            }
        })
        .collect();
    const COLS: usize = 20;
    let sql = format!(
        "INSERT INTO attempts (user_id, certification_id, number, status, timer_mode, time_limit_ms, started_at, \
         used_ms, segment_start, segment_last, deadline_at, current_index, seed, questions, shapes, pass_threshold, \
         created_at, updated_at, away_limit_ms, shown) VALUES {} \
         ON CONFLICT DO NOTHING RETURNING user_id, certification_id, id",
        value_rows(rows.len(), COLS)
    );
    let sql = c.list_sql(&sql);
    // One row is the ordinary start, the same text each time: worth keeping prepared.
    let keep = rows.len() == 1;
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(keep);
        for (a, d) in rows.iter().zip(&derived) {
            q = q
                .bind(a.user)
                .bind(a.cert)
                .bind(a.number)
                .bind("in_progress")
                .bind(a.clock.mode.as_str())
                .bind(a.clock.limit_ms)
                .bind(a.clock.started_at)
                .bind(a.clock.used_ms)
                .bind(a.clock.segment_start)
                .bind(a.clock.segment_last)
                .bind(d.deadline)
                .bind(0_i64)
                .bind(a.seed.to_string())
                .bind(Json(a.questions))
                .bind(Json(&d.shapes))
                .bind(a.pass_threshold)
                .bind(now)
                .bind(now)
                .bind(a.clock.away_limit_ms)
                .bind(&d.shown);
        }
        q.fetch_all(c).await
    })?)
}

pub async fn save_clock(
    c: Conn<'_>,
    id: AttemptId,
    clock: &AttemptClock,
    current_index: i64,
    shown: Option<&Shown>,
    now: Timestamp,
) -> StorageResult<()> {
    let shown = shown.map(|s| serde_json::to_string(s).unwrap_or_default());
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE attempts SET used_ms = $2, segment_start = $3, segment_last = $4, current_index = $5, updated_at = $6, \
         left_at = $7, shown = COALESCE($8, shown) WHERE id = $1 AND status = 'in_progress'"
    )
    .bind(id)
    .bind(clock.used_ms)
    .bind(clock.segment_start)
    .bind(clock.segment_last)
    .bind(current_index)
    .bind(now)
    .bind(clock.left_at)
    .bind(&shown)
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
