//! Sessions of the Mini App and the admin panel. Only a hash of the token is stored.

use super::{Conn, StorageError, StorageResult, on_conn, placeholders, value_rows};
use crate::domain::actor::Surface;
use crate::domain::audit::Origin;
use crate::domain::user::{User, UserStatus};
use crate::domain::{SessionId, Timestamp, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub session_id: SessionId,
    #[sqlx(flatten)]
    pub user: User,
}

#[tracing::instrument(skip(c, token_hash, origin))]
pub async fn insert(
    c: Conn<'_>,
    token_hash: &str,
    user_id: UserId,
    surface: Surface,
    now: Timestamp,
    expires_at: Timestamp,
    origin: &Origin,
) -> StorageResult<SessionId> {
    let id: (SessionId,) = on_conn!(c, |c| {
        sqlx::query_as(
        "INSERT INTO sessions (token_hash, user_id, surface, created_at, expires_at, last_seen_at, \
         ip, user_agent, updated_at) VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $4) RETURNING id"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(surface.as_str())
    .bind(now)
    .bind(expires_at)
    .bind(&origin.ip)
    .bind(&origin.user_agent)
    .fetch_one(c)
    .await
    })?;
    Ok(id.0)
}

/// The session's user, if the session exists, is of this surface, is not revoked and has not
/// expired.
#[tracing::instrument(skip(c, token_hash))]
pub async fn find_active(
    c: Conn<'_>,
    token_hash: &str,
    surface: Surface,
    now: Timestamp,
) -> StorageResult<Option<SessionUser>> {
    let sql = format!(
        "SELECT {SESSION_USER} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $3 AND {ACTIVE}"
    );
    Ok(on_conn!(c, |c| sqlx::query_as(&sql)
        .bind(surface.as_str())
        .bind(now)
        .bind(token_hash)
        .fetch_optional(c)
        .await)?)
}

/// The columns of a [`SessionUser`].
const SESSION_USER: &str = "s.id AS session_id, u.id, u.telegram_id, u.first_name, u.last_name, \
     u.names_edited, u.username, u.photo_url, u.role, u.status, u.position_id, u.branch_id, \
     u.external_id, u.login, u.registered_at, u.updated_at, u.version";

/// [`find_active`] for many tokens at once: the active sessions among `token_hashes`, each with
/// its token's hash.
pub async fn find_active_users_many(
    c: Conn<'_>,
    token_hashes: &[&str],
    surface: Surface,
    now: Timestamp,
) -> StorageResult<Vec<(String, SessionUser)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        token_hash: String,
        #[sqlx(flatten)]
        found: SessionUser,
    }
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, token_hashes.len());
    let sql = format!(
        "SELECT s.token_hash, {SESSION_USER} FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE {ACTIVE} AND s.token_hash IN ({list})"
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<Row> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql)
            .persistent(false)
            .bind(surface.as_str())
            .bind(now);
        for h in token_hashes {
            q = q.bind(*h);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(|r| (r.token_hash, r.found)).collect())
}

/// A session is active: of surface `$1`, not revoked, not expired at `$2`.
const ACTIVE: &str = "s.surface = $1 AND s.revoked_at IS NULL AND s.expires_at > $2";

/// The active sessions among `token_hashes`, with their user and the user's status (for checking
/// many requests at once).
pub async fn find_active_many(
    c: Conn<'_>,
    token_hashes: &[&str],
    surface: Surface,
    now: Timestamp,
) -> StorageResult<Vec<ActiveSession>> {
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    let list = placeholders(3, token_hashes.len());
    let sql = format!(
        "SELECT s.token_hash, s.id, u.id, u.status FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE {ACTIVE} AND s.token_hash IN ({list})"
    );
    let sql = c.list_sql(&sql);
    let rows: Vec<(String, SessionId, UserId, String)> = on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql)
            .persistent(false)
            .bind(surface.as_str())
            .bind(now);
        for h in token_hashes {
            q = q.bind(*h);
        }
        q.fetch_all(c).await
    })?;
    rows.into_iter()
        .map(|(token_hash, session_id, user_id, status)| {
            let status =
                UserStatus::try_from(status).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            Ok(ActiveSession {
                token_hash,
                session_id,
                user_id,
                status,
            })
        })
        .collect()
}

/// A live session found by its token's hash, with its person's status.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub token_hash: String,
    pub session_id: SessionId,
    pub user_id: UserId,
    pub status: UserStatus,
}

/// A session to open: the token's hash, its person and where the request came from.
pub struct SessionToOpen<'a> {
    pub token_hash: &'a str,
    pub user_id: UserId,
    pub origin: &'a Origin,
}

/// Opens many sessions of one surface in one statement; their ids by token hash.
pub async fn insert_many(
    c: Conn<'_>,
    new: &[SessionToOpen<'_>],
    surface: Surface,
    now: Timestamp,
    expires_at: Timestamp,
) -> StorageResult<Vec<(String, SessionId)>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    // Every value bound where it is written, the shared ones again on each row: see
    // [`Conn::list_sql`].
    const COLS: usize = 9;
    let sql = format!(
        "INSERT INTO sessions (token_hash, user_id, surface, created_at, expires_at, last_seen_at, \
         ip, user_agent, updated_at) VALUES {} RETURNING token_hash, id",
        value_rows(new.len(), COLS)
    );
    let sql = c.list_sql(&sql);
    Ok(on_conn!(c, |c| {
        let mut q = sqlx::query_as(&sql).persistent(false);
        for s in new {
            q = q
                .bind(s.token_hash)
                .bind(s.user_id)
                .bind(surface.as_str())
                .bind(now)
                .bind(expires_at)
                .bind(now)
                .bind(&s.origin.ip)
                .bind(&s.origin.user_agent)
                .bind(now);
        }
        q.fetch_all(c).await
    })?)
}

/// Moves the expiry of many sessions at once (launches that keep their sessions).
pub async fn extend_many(
    c: Conn<'_>,
    ids: &[SessionId],
    expires_at: Timestamp,
    now: Timestamp,
) -> StorageResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE sessions SET expires_at = $1, last_seen_at = $2, updated_at = $3 WHERE id IN ({})",
        placeholders(4, ids.len())
    );
    let sql = c.list_sql(&sql);
    on_conn!(c, |c| {
        let mut q = sqlx::query(&sql)
            .persistent(false)
            .bind(expires_at)
            .bind(now)
            .bind(now);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Moves the session's expiry (a launch with a live session keeps it going).
pub async fn extend(
    c: Conn<'_>,
    id: SessionId,
    expires_at: Timestamp,
    now: Timestamp,
) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE sessions SET expires_at = $2, last_seen_at = $3, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(expires_at)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

#[tracing::instrument(skip(c))]
pub async fn revoke(c: Conn<'_>, id: SessionId, now: Timestamp) -> StorageResult<()> {
    on_conn!(c, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $2, updated_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every session of a user (deactivation, password change).
#[tracing::instrument(skip(c))]
pub async fn revoke_all_of_user(
    c: Conn<'_>,
    user_id: UserId,
    surface: Option<Surface>,
    now: Timestamp,
) -> StorageResult<u64> {
    let surface = surface.map(Surface::as_str);
    let done = on_conn!(c, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $2, updated_at = $2 \
         WHERE user_id = $1 AND revoked_at IS NULL AND ($3 IS NULL OR surface = $3)"
    )
    .bind(user_id)
    .bind(now)
    .bind(surface)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Ends every session of a user on a surface but one (a password changed from that session).
pub async fn revoke_others(
    c: Conn<'_>,
    user_id: UserId,
    surface: Surface,
    keep: SessionId,
    now: Timestamp,
) -> StorageResult<u64> {
    Ok(on_conn!(c, |c| sqlx::query(
        "UPDATE sessions SET revoked_at = $2, updated_at = $2 \
         WHERE user_id = $1 AND revoked_at IS NULL AND surface = $3 AND id <> $4"
    )
    .bind(user_id)
    .bind(now)
    .bind(surface.as_str())
    .bind(keep)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Removes sessions that ended more than `keep_secs` ago.
pub async fn purge_ended(c: Conn<'_>, now: Timestamp, keep_secs: i64) -> StorageResult<u64> {
    let before = now.minus_secs(keep_secs);
    let done = on_conn!(c, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1"
    )
    .bind(before)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
