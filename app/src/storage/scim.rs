//! What SCIM reads and writes beyond the user record: lookups by its filters, the phone, the
//! hidden flag of people deleted over SCIM, Telegram invites, and branches as groups.

use super::{Conn, StorageResult, on_conn};
use crate::domain::user::User;
use crate::domain::{BranchId, TelegramId, Timestamp, UserId};

const COLS: &str = "u.id, u.telegram_id, u.first_name, u.last_name, u.names_edited, u.username, \
     u.photo_url, u.role, u.status, u.position_id, u.branch_id, u.external_id, u.login, \
     u.registered_at, u.updated_at, u.version, u.phone, u.scim_hidden, \
     p.name AS position_name, b.name AS branch_name";

const FROM: &str = "FROM users u LEFT JOIN positions p ON p.id = u.position_id LEFT JOIN branches b ON b.id = u.branch_id";

/// A person with what SCIM shows besides the record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimRow {
    #[sqlx(flatten)]
    pub user: User,
    pub phone: Option<String>,
    pub scim_hidden: bool,
    pub position_name: Option<String>,
    pub branch_name: Option<String>,
}

/// The terms of a `/Users` filter, all optional, joined by `and`. Hidden people never match.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub id: Option<i64>,
    /// Compared lower-case (userName is case-insensitive).
    pub login: Option<String>,
    pub telegram_id: Option<i64>,
    pub external_id: Option<String>,
    pub active: Option<bool>,
}

const WHERE: &str = "NOT u.scim_hidden AND ($1 IS NULL OR u.id = $1) AND ($2 IS NULL OR u.login = $2) \
     AND ($3 IS NULL OR u.telegram_id = $3) AND ($4 IS NULL OR u.external_id = $4) \
     AND ($5 IS NULL OR (u.status = 'active') = $5)";

/// A page of people matching `q` in id order, and how many match in all.
pub async fn find(
    mut c: Conn<'_>,
    q: &UserQuery,
    offset: i64,
    limit: i64,
) -> StorageResult<(i64, Vec<ScimRow>)> {
    let login = q.login.as_ref().map(|l| l.trim().to_lowercase());
    let count = format!("SELECT COUNT(*) FROM users u WHERE {WHERE}");
    let total: (i64,) = on_conn!(c.re(), |c| sqlx::query_as(&count)
        .bind(q.id)
        .bind(&login)
        .bind(q.telegram_id)
        .bind(&q.external_id)
        .bind(q.active)
        .fetch_one(c)
        .await)?;
    if limit <= 0 {
        return Ok((total.0, Vec::new()));
    }
    let sql = format!("SELECT {COLS} {FROM} WHERE {WHERE} ORDER BY u.id LIMIT $6 OFFSET $7");
    let rows = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(q.id)
        .bind(&login)
        .bind(q.telegram_id)
        .bind(&q.external_id)
        .bind(q.active)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    Ok((total.0, rows))
}

/// The person with this id, hidden or not.
pub async fn get(c: Conn<'_>, id: UserId) -> StorageResult<Option<ScimRow>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE u.id = $1");
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// Who holds this login, HR id or Telegram id (hidden or not), other than `except`.
pub async fn holders(
    c: Conn<'_>,
    login: Option<&str>,
    external_id: Option<&str>,
    telegram_id: Option<i64>,
    except: Option<UserId>,
) -> StorageResult<Vec<(UserId, bool)>> {
    let login = login.map(|l| l.trim().to_lowercase());
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, scim_hidden FROM users WHERE ($4 IS NULL OR id <> $4) \
         AND (($1 IS NOT NULL AND login = $1) OR ($2 IS NOT NULL AND external_id = $2) \
              OR ($3 IS NOT NULL AND telegram_id = $3)) ORDER BY id"
    )
    .bind(&login)
    .bind(external_id)
    .bind(telegram_id)
    .bind(except)
    .fetch_all(c)
    .await)?)
}

pub async fn set_login(
    c: Conn<'_>,
    id: UserId,
    login: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    let login = login.map(|l| l.trim().to_lowercase());
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET login = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(&login)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_phone(
    c: Conn<'_>,
    id: UserId,
    phone: Option<&str>,
    digits: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET phone = $2, phone_digits = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(phone)
    .bind(digits)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn set_hidden(
    c: Conn<'_>,
    id: UserId,
    hidden: bool,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET scim_hidden = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(hidden)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Gives a person a Telegram id (or takes it away, `None`).
pub async fn set_telegram_id(
    c: Conn<'_>,
    id: UserId,
    telegram_id: Option<TelegramId>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE users SET telegram_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(telegram_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Refreshes what Telegram tells about a person just linked.
pub async fn set_telegram_profile(
    c: Conn<'_>,
    id: UserId,
    username: Option<&str>,
    language_code: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| {
        sqlx::query(
        "UPDATE users SET username = $2, language_code = COALESCE($3, language_code), updated_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(username)
    .bind(language_code)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// People waiting to be linked whose phone has these digits (or, when given, the other form).
pub async fn unlinked_with_phone(
    c: Conn<'_>,
    digits: &str,
    other: Option<&str>,
) -> StorageResult<Vec<UserId>> {
    let rows: Vec<(UserId,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id FROM users WHERE telegram_id IS NULL AND (phone_digits = $1 OR phone_digits = $2) \
         AND NOT scim_hidden AND status <> 'deactivated' ORDER BY id"
    )
    .bind(digits)
    .bind(other)
    .fetch_all(c)
    .await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Whether anyone waits to be linked by phone (the bot then offers to share a contact).
pub async fn any_unlinked_with_phone(c: Conn<'_>) -> StorageResult<bool> {
    let row: Option<(i64,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT id FROM users WHERE telegram_id IS NULL AND phone_digits IS NOT NULL \
         AND NOT scim_hidden AND status <> 'deactivated' LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}

/// Opens (or replaces) the person's invite.
pub async fn put_invite(
    c: Conn<'_>,
    user: UserId,
    token_hash: &str,
    by: Option<UserId>,
    now: Timestamp,
    expires_at: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "INSERT INTO telegram_invites (user_id, token_hash, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET token_hash = $2, \
         created_by = $3, created_at = $4, expires_at = $5"
    )
    .bind(user)
    .bind(token_hash)
    .bind(by)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Uses an invite: deletes it and returns whose it was, if it was open at `now`.
pub async fn take_invite(
    c: Conn<'_>,
    token_hash: &str,
    now: Timestamp,
) -> StorageResult<Option<UserId>> {
    let row: Option<(UserId,)> = on_conn!(c, |c| {
        sqlx::query_as(
        "DELETE FROM telegram_invites WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| r.0))
}

/// When the person's open invite expires, if they have one.
pub async fn invite_expiry(c: Conn<'_>, user: UserId) -> StorageResult<Option<Timestamp>> {
    let row: Option<(Timestamp,)> = on_conn!(c, |c| sqlx::query_as(
        "SELECT expires_at FROM telegram_invites WHERE user_id = $1"
    )
    .bind(user)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| r.0))
}

pub async fn drop_invite(c: Conn<'_>, user: UserId) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "DELETE FROM telegram_invites WHERE user_id = $1"
    )
    .bind(user)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// A branch as a group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
    pub archived: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The terms of a `/Groups` filter.
#[derive(Debug, Clone, Default)]
pub struct GroupQuery {
    pub id: Option<i64>,
    pub name: Option<String>,
    /// Groups this person is a member of.
    pub member: Option<i64>,
    pub external_id: Option<String>,
}

const GROUP_WHERE: &str = "NOT g.archived AND ($1 IS NULL OR g.id = $1) AND ($2 IS NULL OR LOWER(g.name) = LOWER($2)) \
     AND ($3 IS NULL OR EXISTS (SELECT 1 FROM users m WHERE m.branch_id = g.id AND m.id = $3 AND NOT m.scim_hidden)) \
     AND ($4 IS NULL OR g.external_id = $4)";

pub async fn find_groups(
    mut c: Conn<'_>,
    q: &GroupQuery,
    offset: i64,
    limit: i64,
) -> StorageResult<(i64, Vec<GroupRow>)> {
    let count = format!("SELECT COUNT(*) FROM branches g WHERE {GROUP_WHERE}");
    let total: (i64,) = on_conn!(c.re(), |c| sqlx::query_as(&count)
        .bind(q.id)
        .bind(&q.name)
        .bind(q.member)
        .bind(&q.external_id)
        .fetch_one(c)
        .await)?;
    if limit <= 0 {
        return Ok((total.0, Vec::new()));
    }
    let sql = format!(
        "SELECT g.id, g.name, g.external_id, g.archived, g.created_at, g.updated_at FROM branches g \
         WHERE {GROUP_WHERE} ORDER BY g.id LIMIT $5 OFFSET $6"
    );
    let rows = on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(q.id)
        .bind(&q.name)
        .bind(q.member)
        .bind(&q.external_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?;
    Ok((total.0, rows))
}

pub async fn group(c: Conn<'_>, id: i64) -> StorageResult<Option<GroupRow>> {
    Ok(on_conn!(c, |c| sqlx::query_as(
        "SELECT id, name, external_id, archived, created_at, updated_at FROM branches WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Locks a group's branch row for the rest of the transaction (PostgreSQL; SQLite has one
/// writer): a change checked against the group's version cannot interleave with another.
pub async fn lock_group(c: Conn<'_>, id: i64) -> StorageResult<()> {
    if let Conn::Postgres(c) = c {
        sqlx::query("SELECT id FROM branches WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(c)
            .await?;
    }
    Ok(())
}

pub async fn group_by_name(c: Conn<'_>, name: &str) -> StorageResult<Option<GroupRow>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
            "SELECT id, name, external_id, archived, created_at, updated_at FROM branches \
         WHERE LOWER(name) = LOWER($1) ORDER BY name <> $1, archived, id LIMIT 1",
        )
        .bind(name)
        .fetch_optional(c)
        .await
    })?)
}

/// A group's members: (user id, display name), in id order.
pub async fn members(
    c: Conn<'_>,
    branch: BranchId,
) -> StorageResult<Vec<(UserId, String, String)>> {
    Ok(on_conn!(c, |c| {
        sqlx::query_as(
        "SELECT id, first_name, last_name FROM users WHERE branch_id = $1 AND NOT scim_hidden ORDER BY id"
    )
    .bind(branch)
    .fetch_all(c)
    .await
    })?)
}

/// Archives or restores a branch, marking it changed.
pub async fn set_archived(
    c: Conn<'_>,
    id: i64,
    archived: bool,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE branches SET archived = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(archived)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets the identity provider's id of a group.
pub async fn set_group_external_id(
    c: Conn<'_>,
    id: i64,
    external_id: Option<&str>,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE branches SET external_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(external_id)
    .bind(now)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}
