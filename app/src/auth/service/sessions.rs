//! Sessions: what a signed-in person may do and see, and signing out.

use super::*;

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
    scope_on(read.conn(), user).await
}

/// [`scope_of`] on a connection the caller holds.
async fn scope_on(c: storage::Conn<'_>, user: &User) -> AppResult<PeopleScope> {
    if user.role != Role::Manager {
        return Ok(visible_people(user.role, &[]));
    }
    let limit = storage::notifications::manager_branches(c, user.id)
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

/// The active member behind a Mini App session token (pending and deactivated people are refused).
pub async fn member(state: &AppState, token: Option<&str>) -> AppResult<Actor> {
    let Some(token) = token else {
        return Err(AppError::Unauthorized);
    };
    let actor = resolve(state, Surface::MiniApp, token)
        .await?
        .ok_or(AppError::Unauthorized)?;
    active(actor)
}

/// [`member`] on a connection the caller holds and goes on reading with: a Mini App read then
/// takes one connection from the pool, not two (under load each one is a wait in its queue).
pub async fn member_on(
    state: &AppState,
    mut c: storage::Conn<'_>,
    token: Option<&str>,
) -> AppResult<Actor> {
    let Some(token) = token else {
        return Err(AppError::Unauthorized);
    };
    let found =
        storage::sessions::find_active(c.re(), &hash_token(token), Surface::MiniApp, state.now())
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::Unauthorized)?;
    let scope = scope_on(c, &found.user).await?;
    active(Actor {
        user: found.user,
        modules: ModuleSet::EMPTY,
        session_id: found.session_id,
        scope,
    })
}

fn active(actor: Actor) -> AppResult<Actor> {
    match actor.user.status {
        UserStatus::Active => Ok(actor),
        UserStatus::Pending => Err(AppError::Forbidden(Msg::ErrPendingAccess)),
        UserStatus::Deactivated => Err(AppError::Forbidden(Msg::ErrAccountInactive)),
    }
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
