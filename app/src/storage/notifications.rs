//! What notifications read: recipients and their language, mutes, managers' branch limits, the
//! certifications people are assigned to, and who cannot be reached.

use super::certifications::ASSIGNED_TO_USER;
use super::{Conn, StorageResult, on_conn};
use crate::domain::user::{Role, UserStatus};
use crate::domain::{AttemptId, BranchId, CertId, TelegramId, Timestamp, UserId};
use std::collections::HashMap;

/// A person as a message to them needs them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub telegram_id: Option<TelegramId>,
    pub first_name: String,
    pub last_name: String,
    pub language_code: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub branch_id: Option<BranchId>,
    pub tg_unreachable_at: Option<Timestamp>,
}

impl Recipient {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }

    pub fn lang(&self) -> crate::i18n::Lang {
        match self.language_code.as_deref() {
            Some(code) if code.starts_with("en") => crate::i18n::Lang::En,
            _ => crate::i18n::Lang::Ru,
        }
    }

    /// Active, with a Telegram account that has not blocked the bot.
    pub fn reachable(&self) -> bool {
        self.status == UserStatus::Active
            && self.telegram_id.is_some()
            && self.tg_unreachable_at.is_none()
    }
}

const RECIPIENT: &str = "u.id, u.telegram_id, u.first_name, u.last_name, u.language_code, u.role, \
     u.status, u.branch_id, u.tg_unreachable_at";

pub async fn recipient(c: Conn<'_>, id: UserId) -> StorageResult<Option<Recipient>> {
    let sql = format!("SELECT {RECIPIENT} FROM users u WHERE u.id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Active admins and managers (the recipients of results).
pub async fn managers(c: Conn<'_>) -> StorageResult<Vec<Recipient>> {
    let sql = format!(
        "SELECT {RECIPIENT} FROM users u WHERE u.status = 'active' AND u.role IN ('manager', 'admin') \
         ORDER BY u.id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Active people the certification is assigned to.
pub async fn assigned_people(c: Conn<'_>, cert: CertId) -> StorageResult<Vec<Recipient>> {
    let cond = ASSIGNED_TO_USER.replace("{cert}", "$1");
    let sql = format!(
        "SELECT {RECIPIENT} FROM users u WHERE u.status = 'active' AND {cond} ORDER BY u.id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_all(c)
        .await)?)
}

/// Open certifications assigned to the person.
pub async fn open_assigned_to(c: Conn<'_>, user: UserId) -> StorageResult<Vec<CertId>> {
    let cond = ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let sql = format!(
        "SELECT c.id FROM certifications c JOIN users u ON u.id = $1 \
         WHERE c.status = 'open' AND {cond} ORDER BY c.id"
    );
    let rows: Vec<(CertId,)> = on_conn!(c, |c| sqlx::query_as(&sql).bind(user).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Kinds the person muted.
pub async fn mutes(c: Conn<'_>, user: UserId) -> StorageResult<Vec<String>> {
    let rows: Vec<(String,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT kind FROM notification_mutes WHERE user_id = $1 ORDER BY kind"
    )
    .bind(user)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn set_mutes(
    mut c: Conn<'_>,
    user: UserId,
    kinds: &[&str],
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query(
        "DELETE FROM notification_mutes WHERE user_id = $1"
    )
    .bind(user)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for k in kinds {
        on_conn!(c.re(), |c| {
            sqlx::query(
            "INSERT INTO notification_mutes (user_id, kind, created_at, updated_at) VALUES ($1, $2, $3, $3)"
        )
        .bind(user)
        .bind(*k)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// People among `users` who muted `kind`.
pub async fn muted_among(c: Conn<'_>, kind: &str) -> StorageResult<Vec<UserId>> {
    let rows: Vec<(UserId,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT user_id FROM notification_mutes WHERE kind = $1"
    )
    .bind(kind)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The branches a manager is limited to (empty: not limited).
pub async fn manager_branches(c: Conn<'_>, manager: UserId) -> StorageResult<Vec<BranchId>> {
    let rows: Vec<(BranchId,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT branch_id FROM manager_branches WHERE manager_id = $1 ORDER BY branch_id"
    )
    .bind(manager)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every manager's branch limit.
pub async fn all_manager_branches(c: Conn<'_>) -> StorageResult<HashMap<UserId, Vec<BranchId>>> {
    let rows: Vec<(UserId, BranchId)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT manager_id, branch_id FROM manager_branches ORDER BY manager_id, branch_id"
    )
    .fetch_all(c)
    .await)?;
    let mut out: HashMap<UserId, Vec<BranchId>> = HashMap::new();
    for (m, b) in rows {
        out.entry(m).or_default().push(b);
    }
    Ok(out)
}

pub async fn set_manager_branches(
    mut c: Conn<'_>,
    manager: UserId,
    branches: &[BranchId],
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c.re(), |c| sqlx::query(
        "DELETE FROM manager_branches WHERE manager_id = $1"
    )
    .bind(manager)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for b in branches {
        on_conn!(c.re(), |c| {
            sqlx::query(
            "INSERT INTO manager_branches (manager_id, branch_id, created_at, updated_at) VALUES ($1, $2, $3, $3)"
        )
        .bind(manager)
        .bind(*b)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A 403 from Telegram: nothing more is sent to this person until they write to the bot.
pub async fn set_unreachable(
    c: Conn<'_>,
    telegram_id: i64,
    reason: Option<&str>,
    now: Timestamp,
) -> StorageResult<u64> {
    let at = reason.map(|_| now);
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE users SET tg_unreachable_at = $2, tg_unreachable_reason = $3, updated_at = $4 \
         WHERE telegram_id = $1"
    )
    .bind(telegram_id)
    .bind(at)
    .bind(reason)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Why a person cannot be reached, and since when.
pub async fn unreachable_of(
    c: Conn<'_>,
    user: UserId,
) -> StorageResult<Option<(Timestamp, String)>> {
    let row: Option<(Option<Timestamp>, Option<String>)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT tg_unreachable_at, tg_unreachable_reason FROM users WHERE id = $1"
    )
    .bind(user)
    .fetch_optional(c)
    .await)?;
    Ok(row.and_then(|(at, why)| at.map(|at| (at, why.unwrap_or_default()))))
}

/// A certification as its notifications describe it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CertBrief {
    pub id: CertId,
    pub title: String,
    pub status: String,
    pub closes_at: Option<Timestamp>,
    pub opened_at: Option<Timestamp>,
    pub time_limit_secs: i64,
    pub max_attempts: i64,
}

pub async fn cert_brief(c: Conn<'_>, id: CertId) -> StorageResult<Option<CertBrief>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, title, status, closes_at, opened_at, time_limit_secs, max_attempts \
         FROM certifications WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Open certifications that close before `until` (candidates for reminders).
pub async fn closing_before(c: Conn<'_>, until: Timestamp) -> StorageResult<Vec<CertBrief>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, title, status, closes_at, opened_at, time_limit_secs, max_attempts \
         FROM certifications WHERE status = 'open' AND closes_at IS NOT NULL AND closes_at <= $1 \
         ORDER BY closes_at"
    )
    .bind(until)
    .fetch_all(c)
    .await)?)
}

/// Assigned active people who have not passed the certification.
pub async fn not_passed(c: Conn<'_>, cert: CertId) -> StorageResult<Vec<Recipient>> {
    let cond = ASSIGNED_TO_USER.replace("{cert}", "$1");
    let sql = format!(
        "SELECT {RECIPIENT} FROM users u \
         LEFT JOIN certification_progress p ON p.user_id = u.id AND p.certification_id = $1 \
         WHERE u.status = 'active' AND {cond} AND p.passed_at IS NULL ORDER BY u.id"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(cert)
        .fetch_all(c)
        .await)?)
}

/// An attempt in progress as the nudge rule needs it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RunningAttempt {
    pub id: AttemptId,
    pub user_id: UserId,
    pub certification_id: CertId,
}

/// Attempts in progress whose person is not on the test screen now (no sign of life within
/// `presence_ms`, or left on purpose).
pub async fn away_attempts(
    c: Conn<'_>,
    now: Timestamp,
    presence_ms: i64,
) -> StorageResult<Vec<RunningAttempt>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, user_id, certification_id FROM attempts WHERE status = 'in_progress' \
         AND (left_at IS NOT NULL OR segment_last IS NULL OR segment_last < $1) \
         ORDER BY id LIMIT 1000"
    )
    .bind(Timestamp(now.millis() - presence_ms))
    .fetch_all(c)
    .await)?)
}
