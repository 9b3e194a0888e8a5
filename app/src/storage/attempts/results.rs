//! Histories, overdue candidates, resets and results.

use super::*;

pub async fn history(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
) -> StorageResult<Vec<AttemptSummary>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, number, status, started_at, finished_at, finish_reason, used_ms, percent, passed, reset_at, flags \
         FROM attempts WHERE user_id = $1 AND certification_id = $2 ORDER BY id DESC"
    )
    .bind(user)
    .bind(cert)
    .fetch_all(c)
    .await
    })?)
}

/// Whether an attempt before `attempt` of the same person and certification passed (resets
/// included: a pass pays its points once, ever).
pub async fn passed_before(c: Conn<'_>, attempt: AttemptId) -> StorageResult<bool> {
    let row: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM attempts a JOIN attempts b ON b.user_id = a.user_id \
           AND b.certification_id = a.certification_id AND b.id < a.id AND b.passed \
         WHERE a.id = $1"
    )
    .bind(attempt)
    .fetch_one(c)
    .await)?;
    Ok(row.0 > 0)
}

/// Attempts in progress whose time may have run out (the service decides with the rules).
pub async fn overdue_candidates(
    c: Conn<'_>,
    now: Timestamp,
    grace_ms: i64,
    presence_ms: i64,
) -> StorageResult<Vec<AttemptId>> {
    let rows: Vec<(AttemptId,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id FROM attempts WHERE status = 'in_progress' AND ( \
           (deadline_at IS NOT NULL AND deadline_at + $2 < $1) OR \
           (deadline_at IS NULL AND segment_start IS NOT NULL AND \
            used_ms + (segment_last - segment_start) + $3 > time_limit_ms + $2) OR \
           (away_limit_ms IS NOT NULL AND \
            $1 - started_at - used_ms - COALESCE(segment_last - segment_start, 0) - $3 > away_limit_ms) OR \
           certification_id IN (SELECT id FROM certifications WHERE status = 'closed')) \
         LIMIT 500"
    )
    .bind(now)
    .bind(grace_ms)
    .bind(presence_ms)
    .fetch_all(c)
    .await
    })?;
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
    flagged_only: bool,
) -> StorageResult<Vec<ResultRow>> {
    let flagged = "(SELECT COUNT(*) FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $1 AND a.flags IS NOT NULL)";
    let only = if flagged_only {
        format!(" AND {flagged} > 0")
    } else {
        String::new()
    };
    let assigned = super::super::certifications::ASSIGNED_TO_USER.replace("{cert}", "$1");
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT u.id AS user_id, u.first_name, u.last_name, p.read_version, p.attempts_used, p.best_percent, \
           p.passed_at, p.resets, \
           (SELECT COUNT(*) FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $1 AND a.status = 'in_progress') AS in_progress, \
           (SELECT MAX(a.id) FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $1) AS last_attempt_id, \
           {flagged} AS flagged, \
           u.branch_id, b.name AS branch, u.position_id, ps.name AS position, \
           (u.status = 'active' AND {assigned}) AS assigned \
         FROM users u LEFT JOIN certification_progress p ON p.user_id = u.id AND p.certification_id = $1 \
         LEFT JOIN branches b ON b.id = u.branch_id LEFT JOIN positions ps ON ps.id = u.position_id \
         WHERE ((u.status = 'active' AND {assigned}) OR p.user_id IS NOT NULL) AND {visible}{only} \
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
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT p.certification_id, c.title, p.read_version, p.attempts_used, c.max_attempts, \
         p.best_percent, p.passed_at, p.resets, \
         (SELECT MAX(a.id) FROM attempts a WHERE a.user_id = p.user_id AND a.certification_id = p.certification_id) AS last_attempt_id \
         FROM certification_progress p \
         JOIN certifications c ON c.id = p.certification_id WHERE p.user_id = $1 \
         ORDER BY p.certification_id"
    )
    .bind(user)
    .fetch_all(c)
    .await
    })?)
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
    #[sqlx(try_from = "String")]
    pub timer_mode: TimerMode,
    pub away_limit_secs: Option<i64>,
    pub points: i64,
    pub read_version: Option<i64>,
    pub attempts_used: Option<i64>,
    pub best_percent: Option<i64>,
    pub passed: bool,
    pub attempt_id: Option<AttemptId>,
    /// Theory pages of the current version, and those read for their minimum time.
    pub pages: i64,
    pub pages_read: i64,
}

impl MyCertRow {
    /// The person's state in this certification, given its theory versions (number, re-read
    /// required) and the time left of the attempt in progress, if any.
    pub fn state(
        &self,
        versions: &[(i64, bool)],
        in_progress_remaining_ms: Option<i64>,
    ) -> crate::domain::progress::MyCertState {
        use crate::domain::certification::CertStatus;
        use crate::domain::progress::{StateInput, my_state, theory_is_read};
        my_state(StateInput {
            status: self.status.parse().unwrap_or(CertStatus::Closed),
            theory_read: theory_is_read(self.read_version, versions),
            pages_read: self.pages_read,
            pages: self.pages,
            in_progress_remaining_ms,
            attempts_used: self.attempts_used.unwrap_or(0),
            max_attempts: self.max_attempts,
            best_percent: self.best_percent,
            threshold: self.pass_threshold,
        })
    }
}

/// Open and closed certifications assigned to the user (or that the user has progress in).
pub async fn my_certifications(c: Conn<'_>, user: UserId) -> StorageResult<Vec<MyCertRow>> {
    let assigned = super::super::certifications::ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let sql = format!(
        "SELECT c.id, c.title, c.status, c.pass_threshold, c.max_attempts, c.time_limit_secs, c.closes_at, \
           c.timer_mode, c.away_limit_secs, c.points, \
           p.read_version, p.attempts_used, p.best_percent, (p.passed_at IS NOT NULL) AS passed, \
           a.id AS attempt_id, \
           (SELECT COUNT(*) FROM theory_blocks b \
             WHERE b.certification_id = c.id AND b.version = c.theory_version) AS pages, \
           (SELECT COUNT(*) FROM theory_reading r JOIN theory_blocks b ON b.id = r.block_id \
             WHERE r.user_id = u.id AND r.certification_id = c.id AND b.version = c.theory_version \
               AND r.dwell_ms >= c.min_read_secs * 1000) AS pages_read \
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
    let assigned = super::super::certifications::ASSIGNED_TO_USER.replace("{cert}", "$2");
    let sql = format!("SELECT COUNT(*) FROM users u WHERE u.id = $1 AND {assigned}");
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .bind(cert)
        .fetch_one(c)
        .await)?;
    Ok(n.0 > 0)
}
