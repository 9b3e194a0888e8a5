//! Team results: finished attempts of the people a manager may see.

use super::{Conn, StorageResult, on_conn};
use crate::domain::scope::PeopleScope;
use crate::model::team::TeamResult;

pub async fn recent_results(
    mut c: Conn<'_>,
    scope: &PeopleScope,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<TeamResult>, i64)> {
    let visible = scope.sql("u.branch_id");
    let from = format!(
        "FROM attempts a JOIN users u ON u.id = a.user_id JOIN certifications c ON c.id = a.certification_id \
         WHERE a.status = 'finished' AND a.reset_at IS NULL AND {visible}"
    );
    let sql = format!(
        "SELECT a.id AS attempt_id, u.id AS user_id, u.first_name, u.last_name, c.id AS certification_id, \
         c.title, a.percent, a.passed, a.finished_at {from} ORDER BY a.finished_at DESC, a.id DESC LIMIT $1 OFFSET $2"
    );
    let items = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count = format!("SELECT COUNT(*) {from}");
    let (total,): (i64,) = on_conn!(c, |c| sqlx::query_as(&count).fetch_one(c).await)?;
    Ok((items, total))
}
