//! What the dashboard reads: the compliance pairs counted in groups (people per branch and
//! position, progress rows per cell inputs), activity per day, and the newest badges and
//! level-ups of the people in scope.

use super::{Conn, StorageResult, on_conn, placeholders};
use crate::domain::compliance::{Assignment, PeopleGroup, ProgressGroup, with_special};
use crate::domain::events::DomainEvent;
use crate::domain::scope::PeopleScope;
use crate::domain::{Timestamp, UserId};
use std::collections::BTreeMap;

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

/// Active people in scope per branch and position.
pub async fn people_groups(c: Conn<'_>, scope: &PeopleScope) -> StorageResult<Vec<PeopleGroup>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT u.branch_id, u.position_id, COUNT(*) FROM users u \
         WHERE u.status = 'active' AND {visible} GROUP BY 1, 2"
    );
    let rows: Vec<(Option<i64>, Option<i64>, i64)> =
        on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|(branch, position, n)| PeopleGroup {
            branch,
            position,
            n,
        })
        .collect())
}

/// The branches and positions each open or closed certification is assigned to.
pub async fn group_assignments(c: Conn<'_>) -> StorageResult<BTreeMap<i64, Assignment>> {
    let rows: Vec<(i64, String, i64)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT a.certification_id, a.target_kind, a.target_id FROM certification_assignments a \
         JOIN certifications c ON c.id = a.certification_id \
         WHERE c.status IN ('open', 'closed') AND a.target_kind IN ('branch', 'position')"
    )
    .fetch_all(c)
    .await
    })?;
    let mut out: BTreeMap<i64, Assignment> = BTreeMap::new();
    for (cert, kind, target) in rows {
        let a = out.entry(cert).or_default();
        if kind == "branch" {
            a.branches.insert(target);
        } else {
            a.positions.insert(target);
        }
    }
    Ok(out)
}

/// Progress rows of active people in scope in open or closed certifications, counted by
/// certification, branch, position and cell inputs (the counts the triggers of migration
/// `0013_dashboard_counts.sql` keep). Whether a row is assigned by name or has an attempt
/// running is looked up only for the rows that can be (few), and folded in by
/// `domain::compliance::with_special`.
pub async fn progress_groups(
    mut c: Conn<'_>,
    scope: &PeopleScope,
) -> StorageResult<Vec<ProgressGroup>> {
    let plain = progress_counts(c.re(), scope).await?;
    let visible = scope.sql("u.branch_id");
    let special_sql = format!(
        "SELECT p.certification_id, u.branch_id, u.position_id, \
           EXISTS (SELECT 1 FROM certification_assignments d WHERE d.certification_id = p.certification_id \
             AND d.target_kind = 'user' AND d.target_id = p.user_id) AS direct, \
           p.attempts_used > 0 AS tried, p.passed_at IS NOT NULL AS passed, \
           EXISTS (SELECT 1 FROM attempts t WHERE t.user_id = p.user_id \
             AND t.certification_id = p.certification_id AND t.status = 'in_progress') AS in_progress, \
           COUNT(*) \
         FROM (SELECT user_id, certification_id FROM attempts WHERE status = 'in_progress' \
               UNION SELECT target_id, certification_id FROM certification_assignments \
                 WHERE target_kind = 'user') s \
         JOIN certification_progress p ON p.user_id = s.user_id AND p.certification_id = s.certification_id \
         JOIN users u ON u.id = p.user_id JOIN certifications c ON c.id = p.certification_id \
         WHERE u.status = 'active' AND c.status IN ('open', 'closed') AND {visible} \
         GROUP BY 1, 2, 3, 4, 5, 6, 7"
    );
    type Special = (i64, Option<i64>, Option<i64>, bool, bool, bool, bool, i64);
    let special: Vec<Special> = on_conn!(c, |c| sqlx::query_as(&special_sql).fetch_all(c).await)?;
    let special: Vec<ProgressGroup> = special
        .into_iter()
        .map(
            |(cert, branch, position, direct, tried, passed, in_progress, n)| ProgressGroup {
                cert,
                branch,
                position,
                direct,
                tried,
                passed,
                in_progress,
                n,
            },
        )
        .collect();
    Ok(with_special(&plain, &special))
}

/// People in scope assigned an open or closed certification by name who have no progress in
/// it: `(certification, branch, position, how many)`.
pub async fn direct_without_progress(
    c: Conn<'_>,
    scope: &PeopleScope,
) -> StorageResult<Vec<(i64, Option<i64>, Option<i64>, i64)>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT a.certification_id, u.branch_id, u.position_id, COUNT(*) \
         FROM certification_assignments a JOIN users u ON u.id = a.target_id \
         JOIN certifications c ON c.id = a.certification_id \
         WHERE a.target_kind = 'user' AND u.status = 'active' AND c.status IN ('open', 'closed') \
           AND {visible} AND NOT EXISTS (SELECT 1 FROM certification_progress p \
             WHERE p.user_id = u.id AND p.certification_id = a.certification_id) \
         GROUP BY 1, 2, 3"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Attempts finished since `first` by active people in scope, per day (`(day number from
/// `first`, attempts, passes)`), from the kept counts (migration `0013_dashboard_counts.sql`)
/// with the deltas not folded yet. Attempts ended by a progress reset are not activity.
pub async fn activity(
    c: Conn<'_>,
    scope: &PeopleScope,
    first: Timestamp,
) -> StorageResult<Vec<(i64, i64, i64)>> {
    let visible = scope.sql("k.branch_key");
    let sql = format!(
        "SELECT (k.bucket * {ACTIVITY_BUCKET_MS} - $1) / 86400000 AS day, \
           CAST(SUM(k.attempts) AS BIGINT), CAST(SUM(k.passes) AS BIGINT) \
         FROM (SELECT bucket, branch_key, attempts, passes FROM activity_counts WHERE bucket >= $2 \
               UNION ALL SELECT bucket, branch_key, attempts, passes FROM activity_count_deltas \
               WHERE bucket >= $2) k \
         WHERE {visible} GROUP BY 1"
    );
    // The first bucket that starts on or after `first` (days start on a quarter hour).
    let bucket = (first.0 + ACTIVITY_BUCKET_MS - 1).div_euclid(ACTIVITY_BUCKET_MS);
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(first)
        .bind(bucket)
        .fetch_all(c)
        .await)?)
}

/// The kept activity's bucket: a quarter of an hour.
const ACTIVITY_BUCKET_MS: i64 = 900_000;

/// The same activity recounted from the attempts (what the kept counts must always equal;
/// the tests compare them after every kind of change).
pub async fn activity_recounted(
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

type CountRow = (i64, i64, i64, bool, bool, i64);

fn plain_groups(rows: Vec<CountRow>) -> Vec<ProgressGroup> {
    rows.into_iter()
        .filter(|r| r.5 != 0)
        .map(|(cert, branch, position, tried, passed, n)| ProgressGroup {
            cert,
            branch: (branch != 0).then_some(branch),
            position: (position != 0).then_some(position),
            direct: false,
            tried,
            passed,
            in_progress: false,
            n,
        })
        .collect()
}

/// The kept counts of progress rows of active people in scope in open or closed
/// certifications, with the deltas not folded in yet (PostgreSQL's triggers append deltas).
pub async fn progress_counts(
    c: Conn<'_>,
    scope: &PeopleScope,
) -> StorageResult<Vec<ProgressGroup>> {
    let visible = scope.sql("k.branch_key");
    let sql = format!(
        "SELECT k.certification_id, k.branch_key, k.position_key, k.tried, k.passed, \
           CAST(SUM(k.n) AS BIGINT) \
         FROM (SELECT certification_id, branch_key, position_key, tried, passed, n FROM progress_counts \
               UNION ALL SELECT certification_id, branch_key, position_key, tried, passed, n \
               FROM progress_count_deltas) k \
         JOIN certifications c ON c.id = k.certification_id \
         WHERE c.status IN ('open', 'closed') AND {visible} \
         GROUP BY 1, 2, 3, 4, 5"
    );
    let rows: Vec<CountRow> = on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?;
    Ok(plain_groups(rows))
}

/// The same counts recounted from the progress rows themselves (what the kept counts must
/// always equal; the tests compare them after every kind of change).
pub async fn progress_recounted(
    c: Conn<'_>,
    scope: &PeopleScope,
) -> StorageResult<Vec<ProgressGroup>> {
    let visible = scope.sql("u.branch_id");
    let sql = format!(
        "SELECT p.certification_id, COALESCE(u.branch_id, 0), COALESCE(u.position_id, 0), \
           p.attempts_used > 0 AS tried, p.passed_at IS NOT NULL AS passed, COUNT(*) \
         FROM certification_progress p JOIN users u ON u.id = p.user_id \
         JOIN certifications c ON c.id = p.certification_id \
         WHERE u.status = 'active' AND c.status IN ('open', 'closed') AND {visible} \
         GROUP BY 1, 2, 3, 4, 5"
    );
    let rows: Vec<CountRow> = on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?;
    Ok(plain_groups(rows))
}

/// Folds the deltas PostgreSQL's triggers appended into the kept counts (none on SQLite,
/// whose triggers add to the counts directly): how many deltas were folded.
pub async fn fold_counts(c: Conn<'_>) -> StorageResult<u64> {
    // Only the deltas a statement sees are deleted and added; one committed meanwhile waits
    // for the next fold, and a read in between adds it from the deltas.
    const PROGRESS: &str = "WITH d AS (DELETE FROM progress_count_deltas \
           RETURNING certification_id, branch_key, position_key, tried, passed, n), \
         s AS (SELECT certification_id, branch_key, position_key, tried, passed, \
           CAST(SUM(n) AS BIGINT) AS n, COUNT(*) AS deltas FROM d GROUP BY 1, 2, 3, 4, 5), \
         f AS (INSERT INTO progress_counts (certification_id, branch_key, position_key, tried, passed, n) \
           SELECT certification_id, branch_key, position_key, tried, passed, n FROM s \
           ON CONFLICT (certification_id, branch_key, position_key, tried, passed) \
           DO UPDATE SET n = progress_counts.n + excluded.n) \
         SELECT CAST(COALESCE(SUM(deltas), 0) AS BIGINT) FROM s";
    const ACTIVITY: &str = "WITH d AS (DELETE FROM activity_count_deltas \
           RETURNING bucket, branch_key, attempts, passes), \
         s AS (SELECT bucket, branch_key, CAST(SUM(attempts) AS BIGINT) AS attempts, \
           CAST(SUM(passes) AS BIGINT) AS passes, COUNT(*) AS deltas FROM d GROUP BY 1, 2), \
         f AS (INSERT INTO activity_counts (bucket, branch_key, attempts, passes) \
           SELECT bucket, branch_key, attempts, passes FROM s \
           ON CONFLICT (bucket, branch_key) DO UPDATE SET \
             attempts = activity_counts.attempts + excluded.attempts, \
             passes = activity_counts.passes + excluded.passes) \
         SELECT CAST(COALESCE(SUM(deltas), 0) AS BIGINT) FROM s";
    super::fold_deltas(c, &[PROGRESS, ACTIVITY]).await
}
