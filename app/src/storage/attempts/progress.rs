//! Per-person progress in a certification: theory reading, dwell time, counters.

use super::*;

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

/// What a person's standing in a certification is computed from, read with one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The certification is assigned to them (directly, by position or by branch).
    pub assigned: bool,
    pub progress: Option<Progress>,
    /// Their attempt in progress.
    pub running: Option<AttemptId>,
    /// Attempts made so far, reset ones included.
    pub made: i64,
}

pub async fn standing(c: Conn<'_>, user: UserId, cert: CertId) -> StorageResult<Standing> {
    let assigned = crate::storage::certifications::ASSIGNED_TO_USER.replace("{cert}", "$2");
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM users u WHERE u.id = $1 AND {assigned}) AS assigned, \
         (SELECT a.id FROM attempts a WHERE a.user_id = $1 AND a.certification_id = $2 \
            AND a.status = 'in_progress') AS running, \
         (SELECT COUNT(*) FROM attempts a WHERE a.user_id = $1 AND a.certification_id = $2) AS made, \
         CAST(CASE WHEN p.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_progress, \
         p.current_block_id, p.current_since, p.read_version, p.read_at, p.attempts_used, \
         p.best_percent, p.best_attempt_id, p.passed_at, p.resets \
         FROM (SELECT 1 AS one) one LEFT JOIN certification_progress p \
           ON p.user_id = $1 AND p.certification_id = $2"
    );
    let r: StandingRow = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(user)
        .bind(cert)
        .fetch_one(c)
        .await)?;
    Ok(r.into())
}

/// A [`Standing`] as a statement returns it.
#[derive(sqlx::FromRow)]
struct StandingRow {
    assigned: i64,
    running: Option<AttemptId>,
    made: i64,
    has_progress: i64,
    current_block_id: Option<BlockId>,
    current_since: Option<Timestamp>,
    read_version: Option<i64>,
    read_at: Option<Timestamp>,
    attempts_used: Option<i64>,
    best_percent: Option<i64>,
    best_attempt_id: Option<AttemptId>,
    passed_at: Option<Timestamp>,
    resets: Option<i64>,
}

impl From<StandingRow> for Standing {
    fn from(r: StandingRow) -> Standing {
        Standing {
            assigned: r.assigned > 0,
            running: r.running,
            made: r.made,
            progress: (r.has_progress > 0).then(|| Progress {
                current_block_id: r.current_block_id,
                current_since: r.current_since,
                read_version: r.read_version,
                read_at: r.read_at,
                attempts_used: r.attempts_used.unwrap_or(0),
                best_percent: r.best_percent,
                best_attempt_id: r.best_attempt_id,
                passed_at: r.passed_at,
                resets: r.resets.unwrap_or(0),
            }),
        }
    }
}

/// [`standing`] of several people in one certification, one statement.
pub async fn standing_many(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, Standing)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: UserId,
        #[sqlx(flatten)]
        standing: StandingRow,
    }
    if users.is_empty() {
        return Ok(Vec::new());
    }
    // The certification is bound once for each place it appears, so that the parameters run
    // in order (see `Conn::list_sql`).
    let assigned = crate::storage::certifications::ASSIGNED_TO_USER.replace("{cert}", "$1");
    let sql = format!(
        "SELECT u.id AS user_id, CAST(CASE WHEN {assigned} THEN 1 ELSE 0 END AS BIGINT) AS assigned, \
         (SELECT a.id FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $2 \
            AND a.status = 'in_progress') AS running, \
         (SELECT COUNT(*) FROM attempts a WHERE a.user_id = u.id AND a.certification_id = $3) AS made, \
         CAST(CASE WHEN p.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_progress, \
         p.current_block_id, p.current_since, p.read_version, p.read_at, p.attempts_used, \
         p.best_percent, p.best_attempt_id, p.passed_at, p.resets \
         FROM users u LEFT JOIN certification_progress p \
           ON p.user_id = u.id AND p.certification_id = $4 \
         WHERE u.id IN ({})",
        placeholders(5, users.len())
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<Row> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false);
        for _ in 0..4 {
            q = q.bind(cert);
        }
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user_id, r.standing.into()))
        .collect())
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

/// One more attempt: the newest counted attempt stops counting (it stays in the history).
pub async fn give_attempt_back(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
            "UPDATE certification_progress SET attempts_used = attempts_used - 1, updated_at = $3 \
             WHERE user_id = $1 AND certification_id = $2 AND attempts_used > 0",
        )
        .bind(user)
        .bind(cert)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// An attempt started: it uses one attempt, and the page on screen is no longer counted (the
/// user went to the test).
pub async fn attempt_started(
    c: Conn<'_>,
    user: UserId,
    cert: CertId,
    now: Timestamp,
) -> StorageResult<()> {
    attempts_started(c, cert, &[user], now).await
}

/// [`attempt_started`] for several people in one certification, with one statement.
pub async fn attempts_started(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
    now: Timestamp,
) -> StorageResult<()> {
    if users.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE certification_progress SET attempts_used = attempts_used + 1, current_block_id = NULL, \
         current_since = NULL, updated_at = $1 WHERE certification_id = $2 AND user_id IN ({})",
        placeholders(3, users.len())
    );
    let sql = c.list_sql(&sql);
    let keep = users.len() == 1;
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql).persistent(keep).bind(now).bind(cert);
        for u in users {
            q = q.bind(*u);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The progress rows of several people in one certification, locked on PostgreSQL until the
/// transaction ends (taken in person order, so two batches never wait for each other in a
/// cycle). People without a row are left out.
pub async fn progress_many_for_update(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
) -> StorageResult<Vec<(UserId, Progress)>> {
    progress_rows(c, cert, users, true).await
}

pub(super) async fn progress_rows(
    c: Conn<'_>,
    cert: CertId,
    users: &[UserId],
    lock: bool,
) -> StorageResult<Vec<(UserId, Progress)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: UserId,
        #[sqlx(flatten)]
        progress: Progress,
    }
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, {PROGRESS_COLUMNS} FROM certification_progress \
         WHERE certification_id = $1 AND user_id IN ({}) ORDER BY user_id{}",
        placeholders(2, users.len()),
        if lock { lock_clause(&c) } else { "" }
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<Row> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false).bind(cert);
        for u in users {
            q = q.bind(*u);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|r| (r.user_id, r.progress)).collect())
}
