//! Certifications, their versioned theory, question sets and assignments.

use super::{Conn, StorageResult, on_conn};
use crate::domain::certification::{
    BlockInput, CertSettings, CertStatus, Certification, Material, MaterialKind, TheoryBlock,
};
use crate::domain::{BlockId, CertId, MaterialId, QuestionId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

const COLUMNS: &str = "id, title, description, pass_threshold, max_attempts, time_limit_secs, \
     timer_mode, min_read_secs, shuffle_questions, shuffle_options, points, draw_count, \
     review_allowed, opens_at, closes_at, away_limit_secs, status, theory_version, opened_at, closed_at, updated_at";

pub async fn insert(
    mut c: Conn<'_>,
    s: &CertSettings,
    by: UserId,
    now: Timestamp,
) -> StorageResult<CertId> {
    let id: (CertId,) = on_conn!(c.re(), |c| {
        sqlx::query_as(
        "INSERT INTO certifications (title, description, pass_threshold, max_attempts, time_limit_secs, \
         timer_mode, min_read_secs, shuffle_questions, shuffle_options, points, draw_count, review_allowed, \
         opens_at, closes_at, status, theory_version, created_by, created_at, updated_at, away_limit_secs) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'draft', 1, $15, $16, $16, $17) \
         RETURNING id"
    )
    .bind(&s.title)
    .bind(&s.description)
    .bind(s.pass_threshold)
    .bind(s.max_attempts)
    .bind(s.time_limit_secs)
    .bind(s.timer_mode.as_str())
    .bind(s.min_read_secs)
    .bind(s.shuffle_questions)
    .bind(s.shuffle_options)
    .bind(s.points)
    .bind(s.draw_count)
    .bind(s.review_allowed)
    .bind(s.opens_at)
    .bind(s.closes_at)
    .bind(by)
    .bind(now)
    .bind(s.away_limit_secs)
    .fetch_one(c)
    .await
    })?;
    on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO theory_versions (certification_id, version, require_reread, created_by, created_at, updated_at) \
         VALUES ($1, 1, FALSE, $2, $3, $3)"
    )
    .bind(id.0)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(id.0)
}

pub async fn get(c: Conn<'_>, id: CertId) -> StorageResult<Option<Certification>> {
    let sql = format!("SELECT {COLUMNS} FROM certifications WHERE id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Reads the certification for an update: on PostgreSQL the row is locked until the
/// transaction ends, so concurrent edits of one certification apply one after the other
/// (SQLite has a single writer anyway).
pub async fn get_for_update(c: Conn<'_>, id: CertId) -> StorageResult<Option<Certification>> {
    let lock = match c {
        Conn::Sqlite(_) => "",
        Conn::Postgres(_) => " FOR UPDATE",
    };
    let sql = format!("SELECT {COLUMNS} FROM certifications WHERE id = $1{lock}");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// A row of the certifications list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CertSummaryRow {
    pub id: CertId,
    pub title: String,
    pub status: String,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    pub questions: i64,
    pub blocks: i64,
    pub updated_at: Timestamp,
}

pub async fn list(
    mut c: Conn<'_>,
    status: Option<CertStatus>,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<CertSummaryRow>, i64)> {
    let status = status.map(CertStatus::as_str);
    let search = search
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(super::questions::contains_pattern);
    let filter =
        "($1 IS NULL OR c.status = $1) AND ($2 IS NULL OR LOWER(c.title) LIKE $2 ESCAPE '\\')";
    let sql = format!(
        "SELECT c.id, c.title, c.status, c.opens_at, c.closes_at, \
           (SELECT COUNT(*) FROM certification_questions q WHERE q.certification_id = c.id) AS questions, \
           (SELECT COUNT(*) FROM theory_blocks b WHERE b.certification_id = c.id AND b.version = c.theory_version) AS blocks, \
           c.updated_at \
         FROM certifications c WHERE {filter} ORDER BY c.id DESC LIMIT $3 OFFSET $4"
    );
    let rows: Vec<CertSummaryRow> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(status)
        .bind(&search)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count_sql = format!("SELECT COUNT(*) FROM certifications c WHERE {filter}");
    let total: (i64,) = on_conn!(c, |c| sqlx::query_as(&count_sql)
        .bind(status)
        .bind(&search)
        .fetch_one(c)
        .await)?;
    Ok((rows, total.0))
}

pub async fn update_settings(
    c: Conn<'_>,
    id: CertId,
    s: &CertSettings,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE certifications SET title = $2, description = $3, pass_threshold = $4, max_attempts = $5, \
         time_limit_secs = $6, timer_mode = $7, min_read_secs = $8, shuffle_questions = $9, \
         shuffle_options = $10, points = $11, draw_count = $12, review_allowed = $13, opens_at = $14, \
         closes_at = $15, updated_at = $16, away_limit_secs = $17 WHERE id = $1"
    )
    .bind(id)
    .bind(&s.title)
    .bind(&s.description)
    .bind(s.pass_threshold)
    .bind(s.max_attempts)
    .bind(s.time_limit_secs)
    .bind(s.timer_mode.as_str())
    .bind(s.min_read_secs)
    .bind(s.shuffle_questions)
    .bind(s.shuffle_options)
    .bind(s.points)
    .bind(s.draw_count)
    .bind(s.review_allowed)
    .bind(s.opens_at)
    .bind(s.closes_at)
    .bind(now)
    .bind(s.away_limit_secs)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Moves to `status` only if the certification is still in `from` (so two concurrent
/// transitions cannot both apply); returns whether it moved.
pub async fn set_status(
    c: Conn<'_>,
    id: CertId,
    from: CertStatus,
    status: CertStatus,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| sqlx::query(
        "UPDATE certifications SET status = $3, \
           opened_at = CASE WHEN $3 = 'open' AND opened_at IS NULL THEN $4 ELSE opened_at END, \
           closed_at = CASE WHEN $3 = 'closed' THEN $4 ELSE closed_at END, \
           updated_at = $4 \
         WHERE id = $1 AND status = $2"
    )
    .bind(id)
    .bind(from.as_str())
    .bind(status.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Opens a closed certification again until `closes_at`; false when it is no longer closed.
pub async fn reopen(
    c: Conn<'_>,
    id: CertId,
    closes_at: Timestamp,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE certifications SET status = 'open', closes_at = $2, closed_at = NULL, updated_at = $3 \
         WHERE id = $1 AND status = 'closed'"
    )
    .bind(id)
    .bind(closes_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Certifications the scheduler may have to open or close.
pub async fn scheduling_candidates(
    c: Conn<'_>,
    now: Timestamp,
) -> StorageResult<Vec<Certification>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM certifications WHERE (status = 'scheduled' AND (opens_at <= $1 OR closes_at <= $1)) \
         OR (status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1)"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(now)
        .fetch_all(c)
        .await)?)
}

// ---- theory ----

const BLOCK_COLUMNS: &str = "id, position, kind, title, body, url";

pub async fn blocks(c: Conn<'_>, id: CertId, version: i64) -> StorageResult<Vec<TheoryBlock>> {
    let sql = format!(
        "SELECT {BLOCK_COLUMNS} FROM theory_blocks WHERE certification_id = $1 AND version = $2 ORDER BY position, id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(version)
        .fetch_all(c)
        .await)?)
}

pub async fn materials(c: Conn<'_>, id: CertId, version: i64) -> StorageResult<Vec<Material>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, position, kind, title, url FROM theory_materials \
         WHERE certification_id = $1 AND version = $2 ORDER BY position, id"
    )
    .bind(id)
    .bind(version)
    .fetch_all(c)
    .await)?)
}

/// A kept theory version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TheoryVersionRow {
    pub version: i64,
    pub require_reread: bool,
    pub created_at: Timestamp,
}

pub async fn versions(c: Conn<'_>, id: CertId) -> StorageResult<Vec<TheoryVersionRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT version, require_reread, created_at FROM theory_versions \
         WHERE certification_id = $1 ORDER BY version DESC"
    )
    .bind(id)
    .fetch_all(c)
    .await)?)
}

/// Copies theory version `from` into `from + 1`, makes it current and returns it.
pub async fn new_theory_version(
    mut c: Conn<'_>,
    id: CertId,
    from: i64,
    require_reread: bool,
    by: UserId,
    now: Timestamp,
) -> StorageResult<i64> {
    let to = from + 1;
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO theory_versions (certification_id, version, require_reread, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)"
    )
    .bind(id)
    .bind(to)
    .bind(require_reread)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO theory_blocks (certification_id, version, position, kind, title, body, url, created_at, updated_at) \
         SELECT certification_id, $3, position, kind, title, body, url, $4, $4 FROM theory_blocks \
         WHERE certification_id = $1 AND version = $2 ORDER BY position"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_conn!(c.re(), |c| {
        sqlx::query(
        "INSERT INTO theory_materials (certification_id, version, position, kind, title, url, created_at, updated_at) \
         SELECT certification_id, $3, position, kind, title, url, $4, $4 FROM theory_materials \
         WHERE certification_id = $1 AND version = $2 ORDER BY position"
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_conn!(c, |c| sqlx::query(
        "UPDATE certifications SET theory_version = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(to)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(to)
}

pub async fn insert_block(
    c: Conn<'_>,
    id: CertId,
    version: i64,
    b: &BlockInput,
    now: Timestamp,
) -> StorageResult<BlockId> {
    let row: (BlockId,) = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO theory_blocks (certification_id, version, position, kind, title, body, url, created_at, updated_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM theory_blocks WHERE certification_id = $1 AND version = $2), \
         $3, $4, $5, $6, $7, $7) RETURNING id"
    )
    .bind(id)
    .bind(version)
    .bind(b.kind.as_str())
    .bind(&b.title)
    .bind(&b.body)
    .bind(&b.url)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(row.0)
}

/// The block at `position` of a version (blocks keep their positions when a version is copied).
pub async fn block_at(
    c: Conn<'_>,
    id: CertId,
    version: i64,
    position: i64,
) -> StorageResult<Option<BlockId>> {
    let row: Option<(BlockId,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id FROM theory_blocks WHERE certification_id = $1 AND version = $2 AND position = $3"
    )
    .bind(id)
    .bind(version)
    .bind(position)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| r.0))
}

/// The certification, version and position of a block.
pub async fn block_place(c: Conn<'_>, block: BlockId) -> StorageResult<Option<(CertId, i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT certification_id, version, position FROM theory_blocks WHERE id = $1"
    )
    .bind(block)
    .fetch_optional(c)
    .await)?)
}

pub async fn update_block(
    c: Conn<'_>,
    block: BlockId,
    b: &BlockInput,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE theory_blocks SET kind = $2, title = $3, body = $4, url = $5, updated_at = $6 WHERE id = $1"
    )
    .bind(block)
    .bind(b.kind.as_str())
    .bind(&b.title)
    .bind(&b.body)
    .bind(&b.url)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn delete_block(c: Conn<'_>, block: BlockId) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM theory_blocks WHERE id = $1"
    )
    .bind(block)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Numbers the blocks of a version 1..n in the given order (ids of that version).
pub async fn set_block_order(
    mut c: Conn<'_>,
    id: CertId,
    version: i64,
    ordered: &[BlockId],
    now: Timestamp,
) -> StorageResult<()> {
    // Move out of the way first so positions never collide midway.
    on_conn!(c.re(), |c| sqlx::query(
        "UPDATE theory_blocks SET position = -position WHERE certification_id = $1 AND version = $2"
    )
    .bind(id)
    .bind(version)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (i, block) in ordered.iter().enumerate() {
        on_conn!(c.re(), |c| sqlx::query(
            "UPDATE theory_blocks SET position = $3, updated_at = $4 \
             WHERE id = $1 AND certification_id = $2 AND version = $5"
        )
        .bind(block)
        .bind(id)
        .bind(i as i64 + 1)
        .bind(now)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn insert_material(
    c: Conn<'_>,
    id: CertId,
    version: i64,
    kind: MaterialKind,
    title: &str,
    url: &str,
    now: Timestamp,
) -> StorageResult<MaterialId> {
    let row: (MaterialId,) = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO theory_materials (certification_id, version, position, kind, title, url, created_at, updated_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM theory_materials WHERE certification_id = $1 AND version = $2), \
         $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(id)
    .bind(version)
    .bind(kind.as_str())
    .bind(title)
    .bind(url)
    .bind(now)
    .fetch_one(c)
    .await
    })?;
    Ok(row.0)
}

pub async fn material_place(
    c: Conn<'_>,
    m: MaterialId,
) -> StorageResult<Option<(CertId, i64, i64)>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT certification_id, version, position FROM theory_materials WHERE id = $1"
    )
    .bind(m)
    .fetch_optional(c)
    .await)?)
}

pub async fn delete_material_at(
    c: Conn<'_>,
    id: CertId,
    version: i64,
    position: i64,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "DELETE FROM theory_materials WHERE certification_id = $1 AND version = $2 AND position = $3"
    )
    .bind(id)
    .bind(version)
    .bind(position)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

// ---- questions of a certification ----

pub async fn question_count(c: Conn<'_>, id: CertId) -> StorageResult<i64> {
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM certification_questions WHERE certification_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    Ok(n.0)
}

/// Replaces the question set with `ids`, in that order.
pub async fn set_questions(
    mut c: Conn<'_>,
    id: CertId,
    ids: &[QuestionId],
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query(
        "DELETE FROM certification_questions WHERE certification_id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for (i, q) in ids.iter().enumerate() {
        on_conn!(c.re(), |c| {
            sqlx::query(
            "INSERT INTO certification_questions (certification_id, question_id, position, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)"
        )
        .bind(id)
        .bind(q)
        .bind(i as i64 + 1)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

// ---- assignments ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Position,
    Branch,
    User,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Position => "position",
            TargetKind::Branch => "branch",
            TargetKind::User => "user",
        }
    }
}

impl TryFrom<String> for TargetKind {
    type Error = crate::domain::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "position" => Ok(TargetKind::Position),
            "branch" => Ok(TargetKind::Branch),
            "user" => Ok(TargetKind::User),
            _ => Err(crate::domain::user::UnknownValue(s)),
        }
    }
}

/// An assignment with the name of what it targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Assignment {
    #[sqlx(try_from = "String")]
    pub target_kind: TargetKind,
    pub target_id: i64,
    pub label: Option<String>,
}

pub async fn assignments(c: Conn<'_>, id: CertId) -> StorageResult<Vec<Assignment>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT a.target_kind, a.target_id, \
           CASE a.target_kind WHEN 'position' THEN p.name WHEN 'branch' THEN b.name \
             ELSE u.first_name || CASE WHEN u.last_name = '' THEN '' ELSE ' ' || u.last_name END END AS label \
         FROM certification_assignments a \
         LEFT JOIN positions p ON a.target_kind = 'position' AND p.id = a.target_id \
         LEFT JOIN branches b ON a.target_kind = 'branch' AND b.id = a.target_id \
         LEFT JOIN users u ON a.target_kind = 'user' AND u.id = a.target_id \
         WHERE a.certification_id = $1 ORDER BY a.target_kind, label"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?)
}

/// Whether the target exists (a position, a branch or a user).
pub async fn target_exists(c: Conn<'_>, kind: TargetKind, target: i64) -> StorageResult<bool> {
    let table = match kind {
        TargetKind::Position => "positions",
        TargetKind::Branch => "branches",
        TargetKind::User => "users",
    };
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as(&sql).bind(target).fetch_one(c).await)?;
    Ok(n.0 > 0)
}

/// Adds an assignment; returns false if it existed already.
pub async fn add_assignment(
    c: Conn<'_>,
    id: CertId,
    kind: TargetKind,
    target: i64,
    by: Option<UserId>,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO certification_assignments (certification_id, target_kind, target_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING"
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(target)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn remove_assignment(
    c: Conn<'_>,
    id: CertId,
    kind: TargetKind,
    target: i64,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "DELETE FROM certification_assignments WHERE certification_id = $1 AND target_kind = $2 AND target_id = $3"
    )
    .bind(id)
    .bind(kind.as_str())
    .bind(target)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// The SQL condition "certification `cert_expr` is assigned to user `u`" (positions, branches or
/// the user themselves).
pub const ASSIGNED_TO_USER: &str = "EXISTS (SELECT 1 FROM certification_assignments a \
     WHERE a.certification_id = {cert} AND ((a.target_kind = 'user' AND a.target_id = u.id) \
     OR (a.target_kind = 'position' AND a.target_id = u.position_id) \
     OR (a.target_kind = 'branch' AND a.target_id = u.branch_id)))";

/// Active users the certification is assigned to.
pub async fn assigned_users(c: Conn<'_>, id: CertId) -> StorageResult<Vec<UserId>> {
    let cond = ASSIGNED_TO_USER.replace("{cert}", "$1");
    let sql =
        format!("SELECT u.id FROM users u WHERE u.status = 'active' AND {cond} ORDER BY u.id");
    let rows: Vec<(UserId,)> = on_conn!(c, |c| sqlx::query_as(&sql).bind(id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
