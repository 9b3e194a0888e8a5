//! What the compliance matrix reads: the certifications that count (open or closed) and, for
//! the people in scope, each person's standing in each certification assigned to them or tried.

use super::{Conn, StorageResult, on_conn};
use crate::domain::scope::PeopleScope;
use crate::domain::{BranchId, CertId, PositionId, UserId};

pub use crate::model::compliance::ColumnRow;

pub async fn columns(c: Conn<'_>) -> StorageResult<Vec<ColumnRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, title, status, closes_at FROM certifications \
         WHERE status IN ('open', 'closed') ORDER BY id"
    )
    .fetch_all(c)
    .await)?)
}

/// One person in one certification.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PairRow {
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub branch_id: Option<BranchId>,
    pub position_id: Option<PositionId>,
    pub branch: Option<String>,
    pub position: Option<String>,
    pub certification_id: CertId,
    pub assigned: bool,
    pub attempts_used: Option<i64>,
    pub best_percent: Option<i64>,
    pub passed: bool,
    pub in_progress: bool,
}

/// Every (active person in `scope`, certification) pair that is assigned or tried, people in
/// name order.
pub async fn pairs(
    c: Conn<'_>,
    scope: &PeopleScope,
    branch: Option<BranchId>,
    position: Option<PositionId>,
) -> StorageResult<Vec<PairRow>> {
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT u.id AS user_id, u.first_name, u.last_name, u.branch_id, u.position_id, \
           b.name AS branch, ps.name AS position, c.id AS certification_id, \
           {assigned} AS assigned, p.attempts_used, p.best_percent, \
           (p.passed_at IS NOT NULL) AS passed, \
           EXISTS (SELECT 1 FROM attempts t WHERE t.user_id = u.id AND t.certification_id = c.id \
                   AND t.status = 'in_progress') AS in_progress \
         FROM users u CROSS JOIN certifications c \
         LEFT JOIN certification_progress p ON p.user_id = u.id AND p.certification_id = c.id \
         LEFT JOIN branches b ON b.id = u.branch_id LEFT JOIN positions ps ON ps.id = u.position_id \
         WHERE u.status = 'active' AND c.status IN ('open', 'closed') AND {visible} \
           AND ($1 IS NULL OR u.branch_id = $1) AND ($2 IS NULL OR u.position_id = $2) \
           AND ({assigned} OR p.user_id IS NOT NULL) \
         ORDER BY u.last_name, u.first_name, u.id, c.id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(branch)
        .bind(position)
        .fetch_all(c)
        .await)?)
}
