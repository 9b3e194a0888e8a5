//! What the dashboard reads beyond the compliance matrix: the newest badges and level-ups of
//! the people in scope.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::events::DomainEvent;
use crate::domain::scope::PeopleScope;
use crate::domain::{Timestamp, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BadgeRow {
    pub awarded_at: Timestamp,
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub badge: String,
}

/// Badges held now, newest first, of active people in scope.
pub async fn recent_badges(
    c: Conn<'_>,
    scope: &PeopleScope,
    limit: i64,
) -> StorageResult<Vec<BadgeRow>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT ub.awarded_at, u.id AS user_id, u.first_name, u.last_name, b.name AS badge \
         FROM user_badges ub JOIN users u ON u.id = ub.user_id JOIN badges b ON b.id = ub.badge_id \
         WHERE ub.revoked_at IS NULL AND u.status = 'active' AND {visible} \
         ORDER BY ub.awarded_at DESC, ub.id DESC LIMIT $1"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The latest `limit` level-ups of anyone: `(when, who, level number)`, newest first.
pub async fn recent_level_ups(
    c: Conn<'_>,
    limit: i64,
) -> StorageResult<Vec<(Timestamp, UserId, i64)>> {
    let rows: Vec<(Timestamp, String)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT occurred_at, payload FROM domain_events WHERE kind = 'level_reached' \
         ORDER BY id DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|(at, payload)| match serde_json::from_str(&payload) {
            Ok(DomainEvent::LevelReached { user_id, level }) => Some((at, user_id, level)),
            _ => None,
        })
        .collect())
}

/// Of `ids`, the active people in scope: `(id, first name, last name)`.
pub async fn people_in_scope(
    c: Conn<'_>,
    scope: &PeopleScope,
    ids: &[UserId],
) -> StorageResult<Vec<(UserId, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let visible = scope.sql("branch_id");
    let sql = format!(
        "SELECT id, first_name, last_name FROM users \
         WHERE id IN ({}) AND status = 'active' AND {visible}",
        placeholders(1, ids.len())
    );
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })?)
}

/// How many (person, certification) pairs share the same inputs of a compliance cell, per
/// certification and branch: the dashboard's figures without reading a row per pair.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CellGroup {
    pub certification_id: crate::domain::CertId,
    pub branch_id: Option<crate::domain::BranchId>,
    pub assigned: i64,
    pub tried: bool,
    pub passed: bool,
    pub in_progress: bool,
    pub n: i64,
}

/// The pairs are those of the compliance matrix: active people in scope and open or closed
/// certifications they are assigned to (by branch, position or name) or have progress in.
pub async fn cell_groups(c: Conn<'_>, scope: &PeopleScope) -> StorageResult<Vec<CellGroup>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT pr.certification_id, u.branch_id, pr.assigned, \
           COALESCE(p.attempts_used, 0) > 0 AS tried, p.passed_at IS NOT NULL AS passed, \
           t.id IS NOT NULL AS in_progress, COUNT(*) AS n \
         FROM (SELECT user_id, certification_id, CAST(MAX(assigned) AS BIGINT) AS assigned FROM ( \
             SELECT u.id AS user_id, a.certification_id, 1 AS assigned FROM certification_assignments a \
               JOIN users u ON a.target_kind = 'branch' AND u.branch_id = a.target_id \
             UNION ALL SELECT u.id, a.certification_id, 1 FROM certification_assignments a \
               JOIN users u ON a.target_kind = 'position' AND u.position_id = a.target_id \
             UNION ALL SELECT a.target_id, a.certification_id, 1 FROM certification_assignments a \
               WHERE a.target_kind = 'user' \
             UNION ALL SELECT user_id, certification_id, 0 FROM certification_progress) s \
           GROUP BY user_id, certification_id) pr \
         JOIN users u ON u.id = pr.user_id \
         JOIN certifications c ON c.id = pr.certification_id \
         LEFT JOIN certification_progress p ON p.user_id = pr.user_id AND p.certification_id = pr.certification_id \
         LEFT JOIN attempts t ON t.user_id = pr.user_id AND t.certification_id = pr.certification_id \
           AND t.status = 'in_progress' \
         WHERE u.status = 'active' AND c.status IN ('open', 'closed') AND {visible} \
         GROUP BY 1, 2, 3, 4, 5, 6"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Attempts finished since `first` by active people in scope, per day (`(day number from
/// `first`, attempts, passes)`). Attempts ended by a progress reset are not activity.
pub async fn activity(
    c: Conn<'_>,
    scope: &PeopleScope,
    first: Timestamp,
) -> StorageResult<Vec<(i64, i64, i64)>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT (t.finished_at - $1) / 86400000 AS day, COUNT(*), \
           CAST(COALESCE(SUM(CASE WHEN t.passed THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM attempts t JOIN users u ON u.id = t.user_id \
         WHERE t.status = 'finished' AND COALESCE(t.finish_reason, '') <> 'reset' \
           AND t.finished_at >= $1 AND u.status = 'active' AND {visible} \
         GROUP BY 1"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(first)
        .fetch_all(c)
        .await)?)
}
