//! Users.

use super::{Conn, StorageResult, on_conn};
use crate::domain::scope::PeopleScope;
use crate::domain::user::{Role, TelegramProfile, User, UserStatus};
use crate::domain::{BranchId, PositionId, TelegramId, Timestamp, UserId};
use crate::model::profile::ProfileView;

const USER_COLUMNS: &str = "id, telegram_id, first_name, last_name, names_edited, username, \
     photo_url, role, status, position_id, branch_id, external_id, login, registered_at, updated_at, version";

fn select_user(filter: &str) -> String {
    format!("SELECT {USER_COLUMNS} FROM users WHERE {filter}")
}

#[tracing::instrument(skip(c))]
pub async fn get(c: Conn<'_>, id: UserId) -> StorageResult<Option<User>> {
    let sql = select_user("id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The person with `id` if `scope` sees them: the one lookup behind every card and every
/// change of a person made by a manager or admin (outside the scope, as if there were none).
#[tracing::instrument(skip(c))]
pub async fn get_in_scope(
    c: Conn<'_>,
    id: UserId,
    scope: &PeopleScope,
) -> StorageResult<Option<User>> {
    let sql = select_user(&format!("id = $1 AND {}", scope.sql("branch_id")));
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

#[tracing::instrument(skip(c))]
pub async fn get_by_telegram_id(c: Conn<'_>, tg: TelegramId) -> StorageResult<Option<User>> {
    let sql = select_user("telegram_id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(tg)
        .fetch_optional(c)
        .await)?)
}

#[derive(Debug, sqlx::FromRow)]
pub struct UserWithPassword {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: Option<String>,
}

/// The user with this admin-panel login (case-insensitive) and their password hash.
#[tracing::instrument(skip(c))]
pub async fn get_by_login(c: Conn<'_>, login: &str) -> StorageResult<Option<UserWithPassword>> {
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = $1");
    let login = login.trim().to_lowercase();
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(&login)
        .fetch_optional(c)
        .await)?)
}

/// A user to create, e.g. from the CLI, demo data or a pre-registration.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub telegram_id: Option<TelegramId>,
    pub first_name: String,
    pub last_name: String,
    pub names_edited: bool,
    pub username: Option<String>,
    pub role: Role,
    pub status: UserStatus,
    pub position_id: Option<PositionId>,
    pub branch_id: Option<BranchId>,
    pub login: Option<String>,
    pub password_hash: Option<String>,
}

#[tracing::instrument(skip(c, new), fields(role = new.role.as_str()))]
pub async fn insert(c: Conn<'_>, new: &NewUser, now: Timestamp) -> StorageResult<User> {
    let sql = format!(
        "INSERT INTO users (telegram_id, first_name, last_name, names_edited, username, role, \
         status, position_id, branch_id, login, password_hash, registered_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) RETURNING {USER_COLUMNS}"
    );
    let login = new.login.as_ref().map(|l| l.trim().to_lowercase());
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(new.telegram_id)
        .bind(&new.first_name)
        .bind(&new.last_name)
        .bind(new.names_edited)
        .bind(&new.username)
        .bind(new.role.as_str())
        .bind(new.status.as_str())
        .bind(new.position_id)
        .bind(new.branch_id)
        .bind(&login)
        .bind(&new.password_hash)
        .bind(now)
        .fetch_one(c)
        .await)?)
}

/// Outcome of a Telegram sign-in or `/start`.
#[derive(Debug, Clone)]
pub struct TelegramUpsert {
    pub user: User,
    pub created: bool,
}

/// Creates the user from Telegram data, or refreshes username, photo and language. Names are
/// refreshed only while nobody has edited them. Call inside a write transaction.
#[tracing::instrument(skip(c, profile), fields(telegram_id = %profile.telegram_id))]
pub async fn upsert_from_telegram(
    mut c: Conn<'_>,
    profile: &TelegramProfile,
    status_if_new: UserStatus,
    now: Timestamp,
) -> StorageResult<TelegramUpsert> {
    let first = profile.first_name_or_fallback();
    let last = profile.last_name_or_empty();
    let insert = format!(
        "INSERT INTO users (telegram_id, first_name, last_name, names_edited, username, photo_url, \
         language_code, role, status, registered_at, created_at, updated_at) \
         VALUES ($1, $2, $3, FALSE, $4, $5, $6, 'employee', $7, $8, $8, $8) \
         ON CONFLICT (telegram_id) DO NOTHING RETURNING {USER_COLUMNS}"
    );
    let created: Option<User> = on_conn!(c.re(), |c| sqlx::query_as(&insert)
        .bind(profile.telegram_id)
        .bind(&first)
        .bind(&last)
        .bind(&profile.username)
        .bind(&profile.photo_url)
        .bind(&profile.language_code)
        .bind(status_if_new.as_str())
        .bind(now)
        .fetch_optional(c)
        .await)?;
    if let Some(user) = created {
        return Ok(TelegramUpsert {
            user,
            created: true,
        });
    }
    // The same refresh as launches written together: only a change writes.
    let user = refresh_from_telegram_many(c, &[profile], now)
        .await?
        .pop()
        .ok_or_else(|| super::StorageError::Corrupt("a Telegram user vanished".into()))?;
    Ok(TelegramUpsert {
        user,
        created: false,
    })
}

/// The SET list of a launch's refresh from Telegram, reading the launch's values from `v` (and
/// the time from `$1`): the username always, a photo and a language only when Telegram sends
/// them, and the names unless an admin edited them.
const REFRESH_SET: &str = "username = v.username, photo_url = COALESCE(v.photo_url, users.photo_url), \
     language_code = COALESCE(v.language_code, users.language_code), \
     first_name = CASE WHEN users.names_edited THEN users.first_name ELSE v.first_name END, \
     last_name = CASE WHEN users.names_edited THEN users.last_name ELSE v.last_name END";

/// Whether the launch in `v` changes the row (so an unchanged launch writes nothing).
const REFRESH_CHANGES: &str = "(users.username IS DISTINCT FROM v.username \
     OR (v.photo_url IS NOT NULL AND users.photo_url IS DISTINCT FROM v.photo_url) \
     OR (v.language_code IS NOT NULL AND users.language_code IS DISTINCT FROM v.language_code) \
     OR (NOT users.names_edited AND (users.first_name <> v.first_name OR users.last_name <> v.last_name)))";

/// One launch's values for [`refresh_from_telegram_many`].
struct Refresh<'a> {
    tid: TelegramId,
    username: Option<&'a str>,
    photo_url: Option<&'a str>,
    language_code: Option<&'a str>,
    first_name: String,
    last_name: String,
}

/// Refreshes known people from their Telegram launches in two statements, and returns them
/// (those not registered yet are missing from the result). Each person's last launch counts.
pub async fn refresh_from_telegram_many(
    mut c: Conn<'_>,
    profiles: &[&TelegramProfile],
    now: Timestamp,
) -> StorageResult<Vec<User>> {
    if profiles.is_empty() {
        return Ok(Vec::new());
    }
    let mut latest: std::collections::HashMap<TelegramId, &TelegramProfile> =
        std::collections::HashMap::new();
    for p in profiles {
        latest.insert(p.telegram_id, p);
    }
    let rows: Vec<Refresh> = latest
        .values()
        .map(|p| Refresh {
            tid: p.telegram_id,
            username: p.username.as_deref(),
            photo_url: p.photo_url.as_deref(),
            language_code: p.language_code.as_deref(),
            first_name: p.first_name_or_fallback(),
            last_name: p.last_name_or_empty(),
        })
        .collect();
    const COLS: usize = 6;
    let values: Vec<String> = (0..rows.len())
        .map(|r| format!("({})", super::placeholders(1 + r * COLS, COLS)))
        .collect();
    // `now` comes last, as it is written last: see [`Conn::list_sql`].
    let update = format!(
        "WITH v (tid, username, photo_url, language_code, first_name, last_name) AS (VALUES {}) \
         UPDATE users SET {REFRESH_SET}, updated_at = ${} FROM v \
         WHERE users.telegram_id = v.tid AND {REFRESH_CHANGES}",
        values.join(", "),
        1 + rows.len() * COLS,
    );
    let update = c.list_sql(&update);
    on_conn!(c.re(), |c| {
        let mut q = sqlx::query(&update).persistent(false);
        for r in &rows {
            q = q
                .bind(r.tid)
                .bind(r.username)
                .bind(r.photo_url)
                .bind(r.language_code)
                .bind(&r.first_name)
                .bind(&r.last_name);
        }
        q.bind(now).execute(c).await.map(|r| r.rows_affected())
    })?;
    let select = select_user(&format!(
        "telegram_id IN ({})",
        super::placeholders(1, rows.len())
    ));
    let select = c.list_sql(&select);
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&select).persistent(false);
        for r in &rows {
            q = q.bind(r.tid);
        }
        q.fetch_all(c).await
    })?)
}

/// Sets first and last name and marks them as edited, so Telegram never overwrites them.
#[tracing::instrument(skip(c))]
pub async fn update_names(
    c: Conn<'_>,
    id: UserId,
    first_name: &str,
    last_name: &str,
    now: Timestamp,
) -> StorageResult<Option<User>> {
    let sql = format!(
        "UPDATE users SET first_name = $2, last_name = $3, names_edited = TRUE, updated_at = $4 \
         WHERE id = $1 RETURNING {USER_COLUMNS}"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(first_name)
        .bind(last_name)
        .bind(now)
        .fetch_optional(c)
        .await)?)
}

#[tracing::instrument(skip(c, password_hash))]
pub async fn set_login_and_password(
    c: Conn<'_>,
    id: UserId,
    login: &str,
    password_hash: &str,
    now: Timestamp,
) -> StorageResult<()> {
    let login = login.trim().to_lowercase();
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET login = $2, password_hash = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(&login)
    .bind(password_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[tracing::instrument(skip(c))]
pub async fn set_role_and_status(
    c: Conn<'_>,
    id: UserId,
    role: Role,
    status: UserStatus,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET role = $2, status = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(role.as_str())
    .bind(status.as_str())
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Active users, for the development sign-in page.
#[tracing::instrument(skip(c))]
pub async fn list_active(c: Conn<'_>, scope: &PeopleScope, limit: i64) -> StorageResult<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE status = 'active' AND {} \
         ORDER BY role DESC, id LIMIT $1",
        scope.sql("branch_id")
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

pub async fn count(c: Conn<'_>) -> StorageResult<i64> {
    let n: (i64,) = on_conn!(c, |c| sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(c)
        .await)?;
    Ok(n.0)
}

/// The profile page's view: the user with the names of their position and branch.
#[tracing::instrument(skip(c))]
pub async fn profile(c: Conn<'_>, id: UserId) -> StorageResult<Option<ProfileView>> {
    let sql = "SELECT u.id, u.telegram_id, u.first_name, u.last_name, u.username, u.photo_url, \
               u.role, u.status, p.name AS position, b.name AS branch, u.registered_at, u.login \
               FROM users u \
               LEFT JOIN positions p ON p.id = u.position_id \
               LEFT JOIN branches b ON b.id = u.branch_id \
               WHERE u.id = $1";
    Ok(on_conn!(c, |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

#[tracing::instrument(skip(c))]
pub async fn set_placement(
    c: Conn<'_>,
    id: UserId,
    position: Option<PositionId>,
    branch: Option<BranchId>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET position_id = $2, branch_id = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(position)
    .bind(branch)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A row of the users list.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedUser {
    #[sqlx(flatten)]
    pub user: User,
    pub position: Option<String>,
    pub branch: Option<String>,
    pub points: i64,
    /// Open or closed certifications assigned to them (or that they have progress in), and
    /// how many of those they passed.
    pub certs_assigned: i64,
    pub certs_passed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub search: Option<String>,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub branch: Option<BranchId>,
    pub position: Option<PositionId>,
    /// `name`, `registered` (newest first) or `points` (most first).
    pub sort: String,
    /// Whom the reader sees.
    pub scope: PeopleScope,
}

pub async fn search(
    mut c: Conn<'_>,
    f: &UserFilter,
    limit: i64,
    offset: i64,
) -> StorageResult<(Vec<ListedUser>, i64)> {
    let search = f
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(super::questions::contains_pattern);
    let cols: String = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = "($1 IS NULL OR LOWER(u.first_name || ' ' || u.last_name || ' ' || COALESCE(u.username, '') || ' ' || \
         COALESCE(CAST(u.telegram_id AS TEXT), '')) LIKE $1 ESCAPE '\\') \
         AND ($2 IS NULL OR u.role = $2) AND ($3 IS NULL OR u.status = $3) \
         AND ($4 IS NULL OR u.branch_id = $4) AND ($5 IS NULL OR u.position_id = $5)";
    let filter = format!("{filter} AND {}", f.scope.sql("u.branch_id"));
    let order = match f.sort.as_str() {
        "registered" => "u.registered_at DESC, u.id DESC",
        "points" => "points DESC, u.id",
        _ => "u.last_name, u.first_name, u.id",
    };
    let assigned = super::certifications::ASSIGNED_TO_USER.replace("{cert}", "c.id");
    let sql = format!(
        "SELECT {cols}, p.name AS position, b.name AS branch, \
           (SELECT CAST(COALESCE(SUM(l.delta), 0) AS BIGINT) FROM points_ledger l WHERE l.user_id = u.id) AS points, \
           (SELECT COUNT(*) FROM certifications c WHERE c.status IN ('open', 'closed') AND ({assigned} OR EXISTS \
              (SELECT 1 FROM certification_progress cp WHERE cp.user_id = u.id AND cp.certification_id = c.id))) AS certs_assigned, \
           (SELECT COUNT(*) FROM certification_progress cp JOIN certifications c ON c.id = cp.certification_id \
              WHERE cp.user_id = u.id AND cp.passed_at IS NOT NULL AND c.status IN ('open', 'closed')) AS certs_passed \
         FROM users u LEFT JOIN positions p ON p.id = u.position_id LEFT JOIN branches b ON b.id = u.branch_id \
         WHERE {filter} ORDER BY {order} LIMIT $6 OFFSET $7"
    );
    let role = f.role.map(Role::as_str);
    let status = f.status.map(UserStatus::as_str);
    let rows: Vec<ListedUser> = on_conn!(c.re(), |c| sqlx::query_as(&sql)
        .bind(&search)
        .bind(role)
        .bind(status)
        .bind(f.branch)
        .bind(f.position)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    let count = format!("SELECT COUNT(*) FROM users u WHERE {filter}");
    let total: (i64,) = on_conn!(c, |c| sqlx::query_as(&count)
        .bind(&search)
        .bind(role)
        .bind(status)
        .bind(f.branch)
        .bind(f.position)
        .fetch_one(c)
        .await)?;
    Ok((rows, total.0))
}

/// Saves the profile fields an admin edits (names are marked edited).
#[allow(clippy::too_many_arguments)]
pub async fn update_profile(
    c: Conn<'_>,
    id: UserId,
    first_name: &str,
    last_name: &str,
    role: Role,
    status: UserStatus,
    position: Option<PositionId>,
    branch: Option<BranchId>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE users SET first_name = $2, last_name = $3, names_edited = TRUE, role = $4, status = $5, \
         position_id = $6, branch_id = $7, updated_at = $8 WHERE id = $1"
    )
    .bind(id)
    .bind(first_name)
    .bind(last_name)
    .bind(role.as_str())
    .bind(status.as_str())
    .bind(position)
    .bind(branch)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn has_password(c: Conn<'_>, id: UserId) -> StorageResult<bool> {
    let row: (i64,) = on_conn!(c, |c| sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE id = $1 AND password_hash IS NOT NULL"
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    Ok(row.0 > 0)
}

/// On PostgreSQL, locks the user's row until the transaction ends, so changes that read and
/// then write per-user totals (the points balance) apply one after the other across
/// instances. SQLite has a single writer already. `NO KEY UPDATE`, the lock an `UPDATE` takes:
/// it leaves alone the rows that only refer to the person (their foreign key check takes `KEY
/// SHARE`), where `FOR UPDATE` made the gamification and notification consumers deadlock.
pub async fn lock(c: Conn<'_>, id: UserId) -> StorageResult<()> {
    if let Conn::Postgres(c) = c {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(id)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn get_by_external_id(c: Conn<'_>, external_id: &str) -> StorageResult<Option<User>> {
    let sql = select_user("external_id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(external_id)
        .fetch_optional(c)
        .await)?)
}

/// Sets or clears a person's HR id (the natural key of the API's upserts).
pub async fn set_external_id(
    c: Conn<'_>,
    id: UserId,
    external_id: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET external_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(external_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A person with the position of its latest change, for incremental sync.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChangedUser {
    #[sqlx(flatten)]
    pub user: User,
    pub change_tx: i64,
    pub change_id: i64,
}

impl ChangedUser {
    pub fn position(&self) -> super::horizon::Position {
        super::horizon::Position {
            tx: self.change_tx,
            id: self.change_id,
        }
    }
}

/// People whose latest change lies after `after` and below the safe horizon, in change order;
/// with `since`, only those changed at or after it.
pub async fn changed(
    mut c: Conn<'_>,
    after: super::horizon::Position,
    since: Option<Timestamp>,
    limit: i64,
) -> StorageResult<Vec<ChangedUser>> {
    let horizon = super::horizon::horizon(c.re()).await?;
    // A row-value comparison, so both planners seek the (change_tx, change_id) index to the
    // cursor instead of filtering from the start on every page.
    let sql = format!(
        "SELECT {USER_COLUMNS}, change_tx, change_id FROM users \
         WHERE change_tx < $1 AND (change_tx, change_id) > ($2, $3) \
         AND ($4 IS NULL OR updated_at >= $4) \
         ORDER BY change_tx, change_id LIMIT $5"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(horizon)
        .bind(after.tx)
        .bind(after.id)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}
