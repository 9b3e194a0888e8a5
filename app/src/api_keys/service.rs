//! Creating, listing and revoking API keys: for the admin page and for the command line.

use super::{ApiKeyRow, CreatedApiKey, NewApiKey};
use crate::auth::cookie::{hash_token, new_token};
use crate::domain::Timestamp;
use crate::domain::actor::audit_by;
use crate::domain::api_keys::{
    IpNet, KEY_PREFIX, MAX_NAME_CHARS, MAX_RATE_PER_SEC, Scopes, display_prefix,
};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage;
use serde_json::json;

/// A fresh secret: the prefix and 256 random bits.
fn new_secret() -> String {
    format!("{KEY_PREFIX}{}", new_token())
}

/// What is stored of a secret.
pub fn secret_hash(secret: &str) -> String {
    hash_token(secret)
}

/// The form's fields, checked: name, scopes, allow-list, rate, expiry.
pub fn validate(key: &NewApiKey) -> AppResult<(String, Scopes, Vec<IpNet>)> {
    let name = key.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid("name", Msg::ErrApiKeyName));
    }
    let scopes = Scopes::parse(&key.scopes.join(","))
        .map_err(|_| AppError::invalid("scopes", Msg::ErrApiKeyScopes))?;
    if scopes.is_empty() {
        return Err(AppError::invalid("scopes", Msg::ErrApiKeyScopes));
    }
    let allow = IpNet::list(&key.ip_allow)
        .map_err(|_| AppError::invalid("ip_allow", Msg::ErrApiKeyIpAllow))?;
    if !(1..=MAX_RATE_PER_SEC).contains(&key.rate_per_sec)
        || key.burst < key.rate_per_sec
        || key.burst > MAX_RATE_PER_SEC * 10
    {
        return Err(AppError::invalid("rate_per_sec", Msg::ErrApiKeyRate));
    }
    if key.expires_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(AppError::invalid("expires_days", Msg::ErrApiKeyExpiry));
    }
    Ok((name, scopes, allow))
}

fn entry(
    by: Option<&User>,
    action: AuditAction,
    key: &ApiKeyRow,
    details: serde_json::Value,
    origin: &Origin,
    now: Timestamp,
) -> AuditEntry {
    match by {
        Some(u) => audit_by(u, action, "api_key", key.id, details, origin, now),
        None => AuditEntry {
            at: now,
            actor_id: None,
            actor_label: "cli".into(),
            action,
            target_type: Some("api_key".into()),
            target_id: Some(key.id.to_string()),
            details,
            origin: origin.clone(),
        },
    }
}

/// Creates a key; `by` is the admin (none from the command line).
pub async fn create(
    state: &AppState,
    by: Option<&User>,
    key: NewApiKey,
    origin: &Origin,
) -> AppResult<CreatedApiKey> {
    let (name, scopes, allow) = validate(&key)?;
    let now = state.now();
    let secret = new_secret();
    let ip_allow = allow_text(&key.ip_allow, &allow);
    let scope_list = scopes.to_list();
    let result: Result<ApiKeyRow, storage::StorageError> = async {
        let mut tx = state.db.begin().await?;
        let row = storage::api_keys::insert(
            tx.conn(),
            &storage::api_keys::NewKey {
                name: &name,
                prefix: &display_prefix(&secret),
                secret_hash: &secret_hash(&secret),
                scopes: &scope_list,
                ip_allow: &ip_allow,
                rate_per_sec: key.rate_per_sec,
                burst: key.burst,
                expires_at: key.expires_days.map(|d| Timestamp(now.0 + d * 86_400_000)),
                created_by: by.map(|u| u.id),
            },
            now,
        )
        .await?;
        // The secret never reaches the audit log: only the name, scopes and limits.
        let details = json!({
            "name": name, "scopes": scope_list, "ip_allow": ip_allow,
            "rate_per_sec": key.rate_per_sec, "burst": key.burst, "expires_at": row.expires_at,
        });
        storage::audit::record(
            tx.conn(),
            &entry(by, AuditAction::ApiKeyCreated, &row, details, origin, now),
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }
    .await;
    Ok(CreatedApiKey {
        key: result.map_err(AppError::from)?,
        secret,
    })
}

/// The allow-list as stored: the entries as typed, one comma between them.
fn allow_text(typed: &str, parsed: &[IpNet]) -> String {
    if parsed.is_empty() {
        return String::new();
    }
    typed
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn revoke(
    state: &AppState,
    by: Option<&User>,
    id: i64,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(row) = storage::api_keys::get(tx.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        if !storage::api_keys::revoke(tx.conn(), id, now).await? {
            return Err(AppError::refused(Msg::ErrApiKeyRevoked));
        }
        storage::audit::record(
            tx.conn(),
            &entry(
                by,
                AuditAction::ApiKeyRevoked,
                &row,
                json!({ "name": row.name }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// The keys, for the admin page and the command line's `list`.
pub async fn list(state: &AppState) -> AppResult<Vec<ApiKeyRow>> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    storage::api_keys::list(c.conn())
        .await
        .map_err(AppError::from)
}

/// Records the requests each key made in the last minute: one audit entry per key per minute
/// (not per request) and the key's counter and last use.
pub async fn record_usage(
    state: &AppState,
    usage: &[(i64, String, i64, Timestamp)],
) -> Result<(), storage::StorageError> {
    if usage.is_empty() {
        return Ok(());
    }
    let now = state.now();
    let mut tx = state.db.begin().await?;
    for (id, name, requests, last) in usage {
        storage::api_keys::add_usage(tx.conn(), *id, *requests, *last).await?;
        let by = crate::domain::actor::By::Key(crate::domain::actor::KeyActor {
            id: *id,
            name: name.clone(),
            admin: false,
        });
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::ApiKeyUsed,
                "api_key",
                id,
                json!({ "requests": requests }),
                &Origin::channel("api"),
                now,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
