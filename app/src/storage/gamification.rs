//! Levels, the points ledger, badges, activity days and the rating.

use super::{Conn, StorageResult, on_conn};
use crate::domain::gamification::Level;
use crate::domain::{CertId, Timestamp, UserId};
use crate::model::gamification::{BadgeRow, HeldBadge, LedgerRow, RatingRow};

pub async fn levels(c: Conn<'_>) -> StorageResult<Vec<Level>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT number, name, min_points FROM levels ORDER BY min_points"
    )
    .fetch_all(c)
    .await)?)
}

pub async fn replace_levels(
    mut c: Conn<'_>,
    levels: &[Level],
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query("DELETE FROM levels")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    for l in levels {
        on_conn!(c.re(), |c| {
            sqlx::query(
            "INSERT INTO levels (number, name, min_points, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)"
        )
        .bind(l.number)
        .bind(&l.name)
        .bind(l.min_points)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn balance(c: Conn<'_>, user: UserId) -> StorageResult<i64> {
    let row: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM points_ledger WHERE user_id = $1"
    )
    .bind(user)
    .fetch_one(c)
    .await)?;
    Ok(row.0)
}

/// The balance from the entries made before `at`.
pub async fn balance_before(c: Conn<'_>, user: UserId, at: Timestamp) -> StorageResult<i64> {
    let row: (i64,) = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM points_ledger WHERE user_id = $1 AND created_at < $2"
    )
    .bind(user)
    .bind(at)
    .fetch_one(c)
    .await
    })?;
    Ok(row.0)
}

pub struct NewEntry<'a> {
    pub user: UserId,
    pub delta: i64,
    pub reason: &'a str,
    pub source: &'a str,
    pub source_key: &'a str,
    pub admin: Option<UserId>,
    pub certification: Option<CertId>,
}

/// Writes the entry unless one with the same source key exists; returns whether it was new.
pub async fn insert_entry(c: Conn<'_>, e: &NewEntry<'_>, now: Timestamp) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO points_ledger (user_id, delta, reason, source, source_key, admin_id, certification_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (source_key) DO NOTHING"
    )
    .bind(e.user)
    .bind(e.delta)
    .bind(e.reason)
    .bind(e.source)
    .bind(e.source_key)
    .bind(e.admin)
    .bind(e.certification)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn ledger(c: Conn<'_>, user: UserId, limit: i64) -> StorageResult<Vec<LedgerRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT l.delta, l.reason, l.source, \
           CASE WHEN a.id IS NULL THEN NULL ELSE a.first_name || ' ' || a.last_name END AS admin_name, l.created_at \
         FROM points_ledger l LEFT JOIN users a ON a.id = l.admin_id \
         WHERE l.user_id = $1 ORDER BY l.id DESC LIMIT $2"
    )
    .bind(user)
    .bind(limit)
    .fetch_all(c)
    .await
    })?)
}

// ---- badges ----

pub async fn badges(c: Conn<'_>, include_archived: bool) -> StorageResult<Vec<BadgeRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, name, description, icon_url, kind, rule, rule_n, archived FROM badges \
         WHERE $1 OR archived = FALSE ORDER BY id"
    )
    .bind(include_archived)
    .fetch_all(c)
    .await)?)
}

pub async fn badge(c: Conn<'_>, id: i64) -> StorageResult<Option<BadgeRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, name, description, icon_url, kind, rule, rule_n, archived FROM badges WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?)
}

pub async fn save_badge(c: Conn<'_>, b: &BadgeRow, now: Timestamp) -> StorageResult<i64> {
    if b.id == 0 {
        let row: (i64,) = on_conn!(c, |c| {
            sqlx::query_as(
            "INSERT INTO badges (name, description, icon_url, kind, rule, rule_n, archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id"
        )
        .bind(&b.name)
        .bind(&b.description)
        .bind(&b.icon_url)
        .bind(&b.kind)
        .bind(&b.rule)
        .bind(b.rule_n)
        .bind(b.archived)
        .bind(now)
        .fetch_one(c)
        .await
        })?;
        Ok(row.0)
    } else {
        on_conn!(c, |c| {
            sqlx::query(
            "UPDATE badges SET name = $2, description = $3, icon_url = $4, kind = $5, rule = $6, rule_n = $7, \
             archived = $8, updated_at = $9 WHERE id = $1"
        )
        .bind(b.id)
        .bind(&b.name)
        .bind(&b.description)
        .bind(&b.icon_url)
        .bind(&b.kind)
        .bind(&b.rule)
        .bind(b.rule_n)
        .bind(b.archived)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(b.id)
    }
}

pub async fn held(c: Conn<'_>, user: UserId) -> StorageResult<Vec<HeldBadge>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, badge_id, awarded_at, reason, revoked_at FROM user_badges WHERE user_id = $1 ORDER BY id DESC"
    )
    .bind(user)
    .fetch_all(c)
    .await
    })?)
}

/// The reason of the person's current award of a badge.
pub async fn award_reason(c: Conn<'_>, user: UserId, badge: i64) -> StorageResult<Option<String>> {
    let row: Option<(String,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT reason FROM user_badges WHERE user_id = $1 AND badge_id = $2 AND revoked_at IS NULL \
         ORDER BY id DESC LIMIT 1"
    )
    .bind(user)
    .bind(badge)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| r.0))
}

/// Awards a badge unless the user holds it already or the source key was used; returns whether
/// it was awarded now.
pub async fn award(
    c: Conn<'_>,
    user: UserId,
    badge: i64,
    by: Option<UserId>,
    reason: &str,
    source_key: &str,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "INSERT INTO user_badges (user_id, badge_id, awarded_at, awarded_by, reason, source_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $3, $3) ON CONFLICT DO NOTHING"
    )
    .bind(user)
    .bind(badge)
    .bind(now)
    .bind(by)
    .bind(reason)
    .bind(source_key)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

pub async fn revoke(
    c: Conn<'_>,
    user: UserId,
    badge: i64,
    by: Option<UserId>,
    reason: &str,
    now: Timestamp,
) -> StorageResult<bool> {
    let n = on_conn!(c, |c| {
        sqlx::query(
        "UPDATE user_badges SET revoked_at = $3, revoked_by = $4, revoke_reason = $5, updated_at = $3 \
         WHERE user_id = $1 AND badge_id = $2 AND revoked_at IS NULL"
    )
    .bind(user)
    .bind(badge)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

// ---- activity ----

/// Notes a day of activity for many people at once; those for whom the day is new.
pub async fn record_days(
    c: Conn<'_>,
    users: &[UserId],
    day: i64,
    now: Timestamp,
) -> StorageResult<Vec<UserId>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    const COLS: usize = 4;
    let values: Vec<String> = (0..users.len())
        .map(|i| format!("({})", super::placeholders(1 + i * COLS, COLS)))
        .collect();
    let sql = format!(
        "INSERT INTO activity_days (user_id, day, created_at, updated_at) VALUES {} \
         ON CONFLICT DO NOTHING RETURNING user_id",
        values.join(", ")
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(UserId,)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false);
        for u in users {
            q = q.bind(*u).bind(day).bind(now).bind(now);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

pub async fn days(c: Conn<'_>, user: UserId, since_day: i64) -> StorageResult<Vec<i64>> {
    let rows: Vec<(i64,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT day FROM activity_days WHERE user_id = $1 AND day >= $2 ORDER BY day"
    )
    .bind(user)
    .bind(since_day)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Counts the rules look at: certifications passed, a 100% result, theory read and assigned.
pub async fn activity_counts(c: Conn<'_>, user: UserId) -> StorageResult<(i64, bool, i64, i64)> {
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let sql = format!(
        "SELECT \
           (SELECT COUNT(*) FROM certification_progress p WHERE p.user_id = $1 AND p.passed_at IS NOT NULL), \
           (SELECT COUNT(*) FROM attempts a WHERE a.user_id = $1 AND a.percent = 100), \
           (SELECT COUNT(*) FROM certifications c JOIN users u ON u.id = $1 \
              JOIN certification_progress p ON p.certification_id = c.id AND p.user_id = u.id \
              WHERE c.status IN ('open', 'closed') AND p.read_version IS NOT NULL AND {assigned}), \
           (SELECT COUNT(*) FROM certifications c JOIN users u ON u.id = $1 \
              WHERE c.status IN ('open', 'closed') AND {assigned})"
    );
    let row: (i64, i64, i64, i64) =
        on_conn!(c, |c| sqlx::query_as(&sql).bind(user).fetch_one(c).await)?;
    Ok((row.0, row.1 > 0, row.2, row.3))
}

// ---- rating ----

const RATING: &str = "WITH scored AS ( \
      SELECT u.id AS user_id, u.first_name, u.last_name, u.photo_url, \
        CAST(COALESCE(SUM(l.delta), 0) AS BIGINT) AS points, MAX(l.created_at) AS reached_at \
      FROM users u LEFT JOIN points_ledger l ON l.user_id = u.id AND ($1 IS NULL OR l.created_at >= $1) \
      WHERE u.role = 'employee' AND u.status = 'active' \
        AND ($2 IS NULL OR u.branch_id = $2) AND ($3 IS NULL OR u.position_id = $3) \
      GROUP BY u.id, u.first_name, u.last_name, u.photo_url), \
    ranked AS ( \
      SELECT ROW_NUMBER() OVER (ORDER BY points DESC, CASE WHEN reached_at IS NULL THEN 1 ELSE 0 END, reached_at, user_id) AS place, \
        user_id, first_name, last_name, photo_url, points FROM scored)";

/// Employees by points (in the period), ties broken by who got there first.
pub async fn rating(
    mut c: Conn<'_>,
    since: Option<Timestamp>,
    branch: Option<i64>,
    position: Option<i64>,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<RatingRow>, i64)> {
    let sql = format!(
        "{RATING} SELECT place, user_id, first_name, last_name, photo_url, points FROM ranked ORDER BY place LIMIT $4 OFFSET $5"
    );
    let rows: Vec<RatingRow> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(since)
        .bind(branch)
        .bind(position)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count = format!("{RATING} SELECT COUNT(*) FROM ranked");
    let total: (i64,) = on_conn!(c, |c| sqlx::query_as(&count)
        .bind(since)
        .bind(branch)
        .bind(position)
        .fetch_one(c)
        .await)?;
    Ok((rows, total.0))
}

/// One user's row of the same rating.
pub async fn rating_of(
    c: Conn<'_>,
    user: UserId,
    since: Option<Timestamp>,
    branch: Option<i64>,
    position: Option<i64>,
) -> StorageResult<Option<RatingRow>> {
    let sql = format!(
        "{RATING} SELECT place, user_id, first_name, last_name, photo_url, points FROM ranked WHERE user_id = $4"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(since)
        .bind(branch)
        .bind(position)
        .bind(user)
        .fetch_optional(c)
        .await)?)
}
