//! Sign-in and session resolution, shared by the server functions, the public `/auth/*`
//! endpoints and the bot. Every outcome is audited.

use super::Surface;
use super::cookie::{hash_token, new_token};
use super::password;
use crate::domain::UserId;
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::init_data::{self, InitDataError, MaxAge};
use crate::domain::permissions::{Module, ModuleSet, effective_modules};
use crate::domain::scope::{PeopleScope, visible_people};
use crate::domain::throttle;
use crate::domain::user::{Role, TelegramProfile, User, UserStatus};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

use crate::domain::actor::{Actor, label_of, sign_in_entry};

pub use super::cookie::NewSession;

fn entry(state: &AppState, action: AuditAction, origin: &Origin) -> AuditEntry {
    AuditEntry {
        at: state.now(),
        actor_id: None,
        actor_label: String::new(),
        action,
        target_type: None,
        target_id: None,
        details: json!({}),
        origin: origin.clone(),
    }
}

/// Registers or refreshes a Telegram user (Mini App launch or bot `/start`) inside `c`.
pub async fn register_telegram_user(
    state: &AppState,
    mut c: Conn<'_>,
    profile: &TelegramProfile,
    origin: &Origin,
) -> Result<User, StorageError> {
    let now = state.now();
    let up = storage::users::upsert_from_telegram(
        c.re(),
        profile,
        state.config.registration.initial_status(),
        now,
    )
    .await?;
    if up.created {
        let pending = up.user.status == UserStatus::Pending;
        let mut e = entry(state, AuditAction::UserRegistered, origin);
        e.actor_id = Some(up.user.id);
        e.actor_label = label_of(&up.user);
        e.target_type = Some("user".into());
        e.target_id = Some(up.user.id.to_string());
        e.details =
            json!({ "telegram_id": profile.telegram_id, "status": up.user.status.as_str() });
        storage::audit::record(c.re(), &e).await?;
        storage::events::emit(
            c,
            &DomainEvent::UserRegistered {
                user_id: up.user.id,
                pending,
            },
            now,
        )
        .await?;
    }
    Ok(up.user)
}

async fn open_session(
    state: &AppState,
    mut c: Conn<'_>,
    user: &User,
    surface: Surface,
    origin: &Origin,
    method: &str,
) -> Result<NewSession, StorageError> {
    let now = state.now();
    let max_age_secs = match surface {
        Surface::MiniApp => state.config.miniapp_session_secs,
        Surface::Admin => state.config.admin_session_secs,
    };
    let token = new_token();
    let session_id = storage::sessions::insert(
        c.re(),
        &hash_token(&token),
        user.id,
        surface,
        now,
        now.plus_secs(max_age_secs),
        origin,
    )
    .await?;
    let e = sign_in_entry(user, session_id, surface, method, origin, now);
    storage::audit::record(c, &e).await?;
    Ok(NewSession {
        token,
        max_age_secs,
    })
}

fn init_data_message(e: InitDataError) -> Msg {
    match e {
        InitDataError::Expired => Msg::ErrInitDataExpired,
        InitDataError::Malformed | InitDataError::MissingHash | InitDataError::MissingUser => {
            Msg::ErrInitDataMalformed
        }
        InitDataError::BadSignature | InitDataError::MissingAuthDate => Msg::ErrInitDataInvalid,
    }
}

/// The address a request came from, for the per-address limits.
fn client_ip(origin: &Origin) -> Option<std::net::IpAddr> {
    origin.ip.as_deref().and_then(|ip| ip.parse().ok())
}

/// Mini App sign-in from raw initData. Unknown users are registered (pending unless
/// registration is open) and still get a session: the Mini App then shows "waiting for access".
/// A launch that comes with the same person's live session keeps it (its expiry slides) instead
/// of opening another one; a session of someone else is revoked.
#[tracing::instrument(skip_all)]
pub async fn sign_in_telegram(
    state: &AppState,
    raw_init_data: &str,
    existing_token: Option<&str>,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    let Some(token) = state.config.bot_token.as_deref() else {
        return Err(AppError::SignInFailed(Msg::ErrBotNotConfigured));
    };
    let now = state.now();
    let valid = match init_data::validate(
        raw_init_data,
        token,
        now,
        MaxAge(state.config.init_data_max_age_secs),
    ) {
        Ok(v) => v,
        Err(err) => {
            tracing::info!(error = %err, "initData refused");
            // Only failures are limited per address: valid launches from one office never are.
            if let Some(ip) = client_ip(origin)
                && let Some(retry_after_secs) = state.sign_in_limits.failed_launch(ip)
            {
                return Err(AppError::Throttled { retry_after_secs });
            }
            let key = format!("initdata:{}", origin.ip.as_deref().unwrap_or("-"));
            state
                .failed_sign_ins
                .note(&key, "telegram", "miniapp", err.reason(), origin, now);
            return Err(AppError::SignInFailed(init_data_message(err)));
        }
    };
    // The plain case goes with other launches in one transaction (`super::launches`).
    let launch = super::launches::Launch {
        profile: valid.user,
        existing_token: existing_token.map(str::to_owned),
        origin: origin.clone(),
    };
    let profile = match state.launches.submit(launch).await {
        Ok(done) => return Ok(done),
        Err(launch) => launch.profile,
    };
    let result = async {
        let mut tx = state.db.begin().await?;
        let user = register_telegram_user(state, tx.conn(), &profile, origin).await?;
        let current = match existing_token {
            Some(t) => {
                storage::sessions::find_active(tx.conn(), &hash_token(t), Surface::MiniApp, now)
                    .await?
            }
            None => None,
        };
        let session = match current {
            Some(found) if found.user.id == user.id => {
                let max_age_secs = state.config.miniapp_session_secs;
                storage::sessions::extend(
                    tx.conn(),
                    found.session_id,
                    now.plus_secs(max_age_secs),
                    now,
                )
                .await?;
                NewSession {
                    token: existing_token.unwrap_or_default().to_owned(),
                    max_age_secs,
                }
            }
            other => {
                if let Some(someone_else) = other {
                    storage::sessions::revoke(tx.conn(), someone_else.session_id, now).await?;
                }
                open_session(
                    state,
                    tx.conn(),
                    &user,
                    Surface::MiniApp,
                    origin,
                    "telegram",
                )
                .await?
            }
        };
        if user.is_active() {
            // Each launch is a day of activity (streak badges).
            crate::gamification::ledger::note_activity(
                tx.conn(),
                &user,
                state.config.display_utc_offset_minutes,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, StorageError>((user, session))
    }
    .await;
    result.map_err(AppError::from)
}

fn may_use_admin_panel(user: &User, modules: ModuleSet) -> bool {
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

/// The modules a user may open now (role defaults and stored overrides).
pub async fn modules_of(state: &AppState, user: &User) -> AppResult<ModuleSet> {
    if user.status != UserStatus::Active {
        return Ok(ModuleSet::EMPTY);
    }
    let mut read = state.db.read().await.map_err(AppError::from)?;
    let overrides = storage::permissions::overrides_of(read.conn(), user.id)
        .await
        .map_err(AppError::from)?;
    Ok(effective_modules(user.role, &overrides))
}

/// The people `user` sees: only a manager's branch limit needs a read.
pub async fn scope_of(state: &AppState, user: &User) -> AppResult<PeopleScope> {
    if user.role != Role::Manager {
        return Ok(visible_people(user.role, &[]));
    }
    let mut read = state.db.read().await.map_err(AppError::from)?;
    let limit = storage::notifications::manager_branches(read.conn(), user.id)
        .await
        .map_err(AppError::from)?;
    Ok(visible_people(user.role, &limit))
}

/// The actor behind a session token, read fresh from the database on every request so that a
/// revoked session or a withdrawn permission takes effect at once on every instance.
pub async fn resolve(state: &AppState, surface: Surface, token: &str) -> AppResult<Option<Actor>> {
    let mut read = state.db.read().await.map_err(AppError::from)?;
    let found =
        storage::sessions::find_active(read.conn(), &hash_token(token), surface, state.now())
            .await
            .map_err(AppError::from)?;
    drop(read);
    let Some(found) = found else {
        return Ok(None);
    };
    let modules = match surface {
        Surface::Admin => modules_of(state, &found.user).await?,
        Surface::MiniApp => ModuleSet::EMPTY,
    };
    let scope = scope_of(state, &found.user).await?;
    Ok(Some(Actor {
        user: found.user,
        modules,
        session_id: found.session_id,
        scope,
    }))
}

pub async fn sign_out(
    state: &AppState,
    actor: &Actor,
    surface: Surface,
    origin: &Origin,
) -> AppResult<()> {
    let result = async {
        let mut tx = state.db.begin().await?;
        storage::sessions::revoke(tx.conn(), actor.session_id, state.now()).await?;
        let mut e = entry(state, AuditAction::SignOut, origin);
        e.actor_id = Some(actor.user.id);
        e.actor_label = label_of(&actor.user);
        e.target_type = Some("session".into());
        e.target_id = Some(actor.session_id.to_string());
        e.details = json!({ "surface": surface.as_str() });
        storage::audit::record(tx.conn(), &e).await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)
}

/// Whether the actor may open the admin panel at all.
pub fn has_admin_access(actor: &Actor) -> bool {
    actor.user.is_active() && may_use_admin_panel(&actor.user, actor.modules)
}

/// Fails unless the actor holds the module.
pub fn require(actor: &Actor, module: Module) -> AppResult<()> {
    crate::domain::permissions::require_module(actor.as_ref(), module).map_err(AppError::from)
}

/// An admin-panel account to create (CLI, demo data).
#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub login: String,
    pub password: String,
    pub telegram_id: Option<crate::domain::TelegramId>,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

/// Creates an active admin-panel account, or gives an existing user with that Telegram id the
/// role, login and password. Audited.
pub async fn create_admin(state: &AppState, new: NewAdmin, origin: &Origin) -> AppResult<User> {
    use crate::domain::user::{PersonName, check_password_strength, normalize_login};
    let login =
        normalize_login(&new.login).ok_or(AppError::invalid("login", Msg::ErrLoginInvalid))?;
    check_password_strength(&new.password).map_err(|e| AppError::invalid("password", e.msg()))?;
    let first =
        PersonName::parse(&new.first_name).map_err(|e| AppError::invalid("first_name", e.msg()))?;
    let last = PersonName::parse_optional(&new.last_name)
        .map_err(|e| AppError::invalid("last_name", e.msg()))?
        .map(String::from)
        .unwrap_or_default();
    let hash = password::hash(new.password.clone()).await?;
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let existing = match new.telegram_id {
            Some(tg) => storage::users::get_by_telegram_id(tx.conn(), tg).await?,
            None => None,
        };
        let user = match existing {
            Some(u) => {
                storage::users::set_role_and_status(
                    tx.conn(),
                    u.id,
                    new.role,
                    UserStatus::Active,
                    now,
                )
                .await?;
                storage::users::set_login_and_password(tx.conn(), u.id, &login, &hash, now).await?;
                storage::users::get(tx.conn(), u.id).await?.unwrap_or(u)
            }
            None => {
                storage::users::insert(
                    tx.conn(),
                    &storage::users::NewUser {
                        telegram_id: new.telegram_id,
                        first_name: first.into(),
                        last_name: last,
                        names_edited: true,
                        username: None,
                        role: new.role,
                        status: UserStatus::Active,
                        position_id: None,
                        branch_id: None,
                        login: Some(login.clone()),
                        password_hash: Some(hash.clone()),
                    },
                    now,
                )
                .await?
            }
        };
        let mut e = entry(state, AuditAction::AdminCreated, origin);
        e.actor_label = origin.channel.clone();
        e.target_type = Some("user".into());
        e.target_id = Some(user.id.to_string());
        e.details = json!({ "login": login, "role": new.role.as_str() });
        storage::audit::record(tx.conn(), &e).await?;
        tx.commit().await?;
        Ok::<_, StorageError>(user)
    }
    .await;
    result.map_err(AppError::from)
}
