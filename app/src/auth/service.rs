//! Sign-in and session resolution, shared by the server functions, the public `/auth/*`
//! endpoints and the bot. Every outcome is audited.

use super::Surface;
use super::cookie::{hash_token, new_token};
use super::password;
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::init_data::{self, InitDataError, MaxAge};
use crate::domain::permissions::{ActorRef, Module, ModuleSet, effective_modules};
use crate::domain::throttle;
use crate::domain::user::{Role, TelegramProfile, User, UserStatus};
use crate::domain::{SessionId, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

/// The signed-in person behind a request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub modules: ModuleSet,
    pub session_id: SessionId,
}

impl Actor {
    pub fn as_ref(&self) -> ActorRef {
        ActorRef {
            id: self.user.id,
            role: self.user.role,
            modules: self.modules,
        }
    }
}

/// A session just created; the caller turns it into a cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

/// Logs a storage failure with its detail and hands the user a generic error.
pub fn internal(e: StorageError) -> AppError {
    match e {
        StorageError::Conflict(constraint) => {
            tracing::warn!(%constraint, "unique constraint refused a write");
            AppError::Conflict
        }
        other => {
            tracing::error!(error = %other, "storage failure");
            AppError::Internal
        }
    }
}

pub fn label_of(user: &User) -> String {
    match (&user.username, user.telegram_id) {
        (Some(u), _) => format!("{} (@{u})", user.full_name()),
        (None, Some(tg)) => format!("{} (tg {tg})", user.full_name()),
        (None, None) => user.full_name(),
    }
}

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

/// Records an audit entry in its own transaction (for failures, where nothing else is written).
async fn audit_alone(state: &AppState, e: AuditEntry) {
    let result = async {
        let mut tx = state.db.begin().await?;
        storage::audit::record(tx.conn(), &e).await?;
        tx.commit().await
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, action = e.action.as_str(), "could not record audit entry");
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
    let mut e = entry(state, AuditAction::SignIn, origin);
    e.actor_id = Some(user.id);
    e.actor_label = label_of(user);
    e.target_type = Some("session".into());
    e.target_id = Some(session_id.to_string());
    e.details = json!({ "surface": surface.as_str(), "method": method });
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

/// Mini App sign-in from raw initData. Unknown users are registered (pending unless
/// registration is open) and still get a session: the Mini App then shows "waiting for access".
#[tracing::instrument(skip_all)]
pub async fn sign_in_telegram(
    state: &AppState,
    raw_init_data: &str,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    let Some(token) = state.config.bot_token.as_deref() else {
        return Err(AppError::SignInFailed(Msg::ErrBotNotConfigured));
    };
    let valid = match init_data::validate(
        raw_init_data,
        token,
        state.now(),
        MaxAge(state.config.init_data_max_age_secs),
    ) {
        Ok(v) => v,
        Err(err) => {
            tracing::info!(error = %err, "initData refused");
            let mut e = entry(state, AuditAction::SignInFailed, origin);
            e.actor_label = "telegram".into();
            e.details = json!({ "surface": "miniapp", "reason": err.to_string() });
            audit_alone(state, e).await;
            return Err(AppError::SignInFailed(init_data_message(err)));
        }
    };
    let result = async {
        let mut tx = state.db.begin().await?;
        let user = register_telegram_user(state, tx.conn(), &valid.user, origin).await?;
        let session = open_session(
            state,
            tx.conn(),
            &user,
            Surface::MiniApp,
            origin,
            "telegram",
        )
        .await?;
        if user.is_active() {
            // Each launch is a day of activity (streak badges).
            crate::gamification::service::note_activity(
                tx.conn(),
                &user,
                state.config.display_utc_offset_minutes,
                state.now(),
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, StorageError>((user, session))
    }
    .await;
    result.map_err(internal)
}

fn may_use_admin_panel(user: &User, modules: ModuleSet) -> bool {
    user.role != Role::Employee || !modules.is_empty()
}

/// Admin-panel sign-in with login and password, throttled per login.
#[tracing::instrument(skip(state, password, origin))]
pub async fn sign_in_admin(
    state: &AppState,
    login: &str,
    password: &str,
    origin: &Origin,
) -> AppResult<(User, NewSession)> {
    let login = login.trim().to_lowercase();
    let key = format!("admin:{login}");
    let now = state.now();
    let fail = |reason: &str| {
        let mut e = entry(state, AuditAction::SignInFailed, origin);
        e.actor_label = login.clone();
        e.details = json!({ "surface": "admin", "reason": reason });
        e
    };

    let mut read = state.db.read().await.map_err(internal)?;
    let prior = storage::throttle::get(read.conn(), &key)
        .await
        .map_err(internal)?;
    if let Some(retry_after_secs) = throttle::locked_for(prior, now) {
        audit_alone(state, fail("throttled")).await;
        return Err(AppError::Throttled { retry_after_secs });
    }
    let found = if login.is_empty() {
        None
    } else {
        storage::users::get_by_login(read.conn(), &login)
            .await
            .map_err(internal)?
    };
    drop(read);

    let stored_hash = found.as_ref().and_then(|f| f.password_hash.clone());
    let ok = password::verify(password.to_owned(), stored_hash).await?;
    let Some(found) = found.filter(|_| ok) else {
        let next = throttle::after_failure(prior, now, state.config.login_throttle);
        let result = async {
            let mut tx = state.db.begin().await?;
            storage::throttle::put(tx.conn(), &key, next, now).await?;
            storage::audit::record(tx.conn(), &fail("bad_credentials")).await?;
            tx.commit().await
        }
        .await;
        result.map_err(internal)?;
        return Err(match throttle::locked_for(Some(next), now) {
            Some(retry_after_secs) => AppError::Throttled { retry_after_secs },
            None => AppError::SignInFailed(Msg::ErrBadCredentials),
        });
    };
    let user = found.user;
    if user.status != UserStatus::Active {
        audit_alone(state, fail("inactive")).await;
        return Err(AppError::SignInFailed(Msg::ErrAccountInactive));
    }
    let modules = modules_of(state, &user).await?;
    if !may_use_admin_panel(&user, modules) {
        audit_alone(state, fail("no_admin_access")).await;
        return Err(AppError::Forbidden(Msg::ErrNoAdminAccess));
    }
    let result = async {
        let mut tx = state.db.begin().await?;
        storage::throttle::clear(tx.conn(), &key).await?;
        let session =
            open_session(state, tx.conn(), &user, Surface::Admin, origin, "password").await?;
        tx.commit().await?;
        Ok::<_, StorageError>(session)
    }
    .await;
    Ok((user, result.map_err(internal)?))
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
    let mut read = state.db.read().await.map_err(internal)?;
    let user = storage::users::get(read.conn(), user_id)
        .await
        .map_err(internal)?
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
    Ok((user, result.map_err(internal)?))
}

/// The modules a user may open now (role defaults and stored overrides).
pub async fn modules_of(state: &AppState, user: &User) -> AppResult<ModuleSet> {
    if user.status != UserStatus::Active {
        return Ok(ModuleSet::EMPTY);
    }
    let mut read = state.db.read().await.map_err(internal)?;
    let overrides = storage::permissions::overrides_of(read.conn(), user.id)
        .await
        .map_err(internal)?;
    Ok(effective_modules(user.role, &overrides))
}

/// The actor behind a session token, read fresh from the database on every request so that a
/// revoked session or a withdrawn permission takes effect at once on every instance.
pub async fn resolve(state: &AppState, surface: Surface, token: &str) -> AppResult<Option<Actor>> {
    let mut read = state.db.read().await.map_err(internal)?;
    let found =
        storage::sessions::find_active(read.conn(), &hash_token(token), surface, state.now())
            .await
            .map_err(internal)?;
    drop(read);
    let Some(found) = found else {
        return Ok(None);
    };
    let modules = match surface {
        Surface::Admin => modules_of(state, &found.user).await?,
        Surface::MiniApp => ModuleSet::EMPTY,
    };
    Ok(Some(Actor {
        user: found.user,
        modules,
        session_id: found.session_id,
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
    result.map_err(internal)
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
    result.map_err(internal)
}

/// An audit entry for something `actor` did to a target.
pub fn audit_by(
    actor: &User,
    action: AuditAction,
    target_type: &str,
    target_id: impl ToString,
    details: serde_json::Value,
    origin: &Origin,
    at: crate::domain::Timestamp,
) -> AuditEntry {
    AuditEntry {
        at,
        actor_id: Some(actor.id),
        actor_label: label_of(actor),
        action,
        target_type: Some(target_type.to_owned()),
        target_id: Some(target_id.to_string()),
        details,
        origin: origin.clone(),
    }
}
