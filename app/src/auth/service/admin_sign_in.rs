//! Password sign-in to the admin panel (and the development sign-in).

use super::*;

pub(super) fn may_use_admin_panel(user: &User, modules: ModuleSet) -> bool {
    user.role != Role::Employee || !modules.is_empty()
}

/// Counts one more check of `key` before it happens, in its own transaction: the seconds the
/// key will be locked for if this check fails (`None` while checks remain), or `Err` with the
/// seconds it is locked for now, when no check is allowed.
async fn claim_password_check(
    state: &AppState,
    key: &str,
    policy: throttle::ThrottlePolicy,
) -> AppResult<Result<Option<u64>, u64>> {
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let prior = storage::throttle::get_for_update(tx.conn(), key, now).await?;
        let claimed = match throttle::before_check(prior, now, policy) {
            Ok(next) => {
                storage::throttle::put(tx.conn(), key, next, now).await?;
                Ok(throttle::locked_for(Some(next), now))
            }
            Err(secs) => Err(secs),
        };
        tx.commit().await?;
        Ok::<_, StorageError>(claimed)
    }
    .await;
    result.map_err(AppError::from)
}

/// Admin-panel sign-in with login and password. At most `max_failures` passwords are checked
/// per login and address and window, however many arrive at once, and
/// `max_failures × LOGIN_CEILING_FACTOR` per login from all addresses; each address is
/// limited too.
#[tracing::instrument(skip(state, password, origin))]
pub async fn sign_in_admin(
    state: &AppState,
    login: &str,
    password: &str,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    let now = state.now();
    let fail = |label: &str, reason: &str| {
        state.failed_sign_ins.note(
            &format!("admin:{}", label.chars().take(64).collect::<String>()),
            label,
            "admin",
            reason,
            origin,
            now,
        );
    };
    if let Some(ip) = client_ip(origin)
        && let Some(retry_after_secs) = state.sign_in_limits.password_sign_in(ip)
    {
        fail("-", "address_limit");
        return Err(AppError::Throttled { retry_after_secs });
    }
    // What cannot be an account is refused before any database or hash work.
    let login = match crate::domain::user::normalize_login(login) {
        Some(l) if password.len() <= throttle::MAX_PASSWORD_BYTES && !password.is_empty() => l,
        _ => {
            fail("-", "malformed");
            return Err(AppError::SignInFailed(Msg::ErrBadCredentials));
        }
    };
    // Locked per login and address, so guesses from elsewhere do not lock the owner out; the
    // login from all addresses together has a far higher ceiling.
    let (key, login_key) = throttle::sign_in_keys(&login, client_ip(origin));
    let policy = state.config.login_throttle;
    let mut locks_on_failure = None;
    for (k, p) in [(&key, policy), (&login_key, policy.per_login())] {
        match claim_password_check(state, k, p).await? {
            Ok(lock) => locks_on_failure = locks_on_failure.max(lock),
            Err(retry_after_secs) => {
                fail(&login, "throttled");
                return Err(AppError::Throttled { retry_after_secs });
            }
        }
    }
    let found = {
        let mut read = state.db.read().await.map_err(AppError::from)?;
        storage::users::get_by_login(read.conn(), &login)
            .await
            .map_err(AppError::from)?
    };
    let stored_hash = found.as_ref().and_then(|f| f.password_hash.clone());
    let ok = password::verify(password.to_owned(), stored_hash).await?;
    let Some(found) = found.filter(|_| ok) else {
        fail(&login, "bad_credentials");
        return Err(match locks_on_failure {
            // This was the last check allowed: the login is locked now.
            Some(retry_after_secs) => AppError::Throttled { retry_after_secs },
            None => AppError::SignInFailed(Msg::ErrBadCredentials),
        });
    };
    let user = found.user;
    if user.status != UserStatus::Active {
        fail(&login, "inactive");
        return Err(AppError::SignInFailed(Msg::ErrAccountInactive));
    }
    let modules = modules_of(state, &user).await?;
    if !may_use_admin_panel(&user, modules) {
        fail(&login, "no_admin_access");
        return Err(AppError::Forbidden(Msg::ErrNoAdminAccess));
    }
    let result = async {
        let mut tx = state.db.begin().await?;
        // The owner is in: their address and the login start afresh.
        storage::throttle::clear(tx.conn(), &key).await?;
        storage::throttle::clear(tx.conn(), &login_key).await?;
        let session =
            open_session(state, tx.conn(), &user, Surface::Admin, origin, "password").await?;
        tx.commit().await?;
        Ok::<_, StorageError>(session)
    }
    .await;
    Ok((user, result.map_err(AppError::from)?))
}

/// Checks a signed-in user's current password (before changing it), counted against the same
/// per-login limit as sign-ins.
pub async fn check_current_password(
    state: &AppState,
    login: &str,
    password: &str,
    stored: Option<String>,
) -> AppResult<bool> {
    if password.is_empty() || password.len() > throttle::MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    // The signed-in owner's own checks: a key of their own with the usual limit.
    let key = format!("admin:{login}@session");
    let locks_on_failure =
        match claim_password_check(state, &key, state.config.login_throttle).await? {
            Ok(lock) => lock,
            Err(retry_after_secs) => return Err(AppError::Throttled { retry_after_secs }),
        };
    let ok = password::verify(password.to_owned(), stored).await?;
    if !ok && let Some(retry_after_secs) = locks_on_failure {
        return Err(AppError::Throttled { retry_after_secs });
    }
    if ok {
        let result = async {
            let mut tx = state.db.begin().await?;
            storage::throttle::clear(tx.conn(), &key).await?;
            tx.commit().await
        }
        .await;
        result.map_err(AppError::from)?;
    }
    Ok(ok)
}

/// Development sign-in as any active user, only when the configuration allows it.
pub async fn sign_in_dev(
    state: &AppState,
    user_id: UserId,
    surface: Surface,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    if !state.config.dev_login {
        return Err(AppError::Forbidden(Msg::ErrDevLoginDisabled));
    }
    let mut read = state.db.read().await.map_err(AppError::from)?;
    let user = storage::users::get(read.conn(), user_id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    drop(read);
    if surface == Surface::Admin {
        let modules = modules_of(state, &user).await?;
        if !may_use_admin_panel(&user, modules) || !user.is_active() {
            return Err(AppError::Forbidden(Msg::ErrNoAdminAccess));
        }
    }
    let result = async {
        let mut tx = state.db.begin().await?;
        let session = open_session(state, tx.conn(), &user, surface, origin, "dev").await?;
        tx.commit().await?;
        Ok::<_, StorageError>(session)
    }
    .await;
    Ok((user, result.map_err(AppError::from)?))
}
