//! Access: a manager's branches, permissions, sessions and passwords.

use super::*;

pub async fn set_manager_branches(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    mut branches: Vec<BranchId>,
    origin: &Origin,
) -> AppResult<()> {
    may_change_role_or_permissions(actor.as_ref(), id)?;
    branches.sort();
    branches.dedup();
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(target) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Err(AppError::NotFound);
        };
        if target.role != Role::Manager {
            return Err(AppError::refused(Msg::ErrNotManager));
        }
        for b in &branches {
            if !storage::certifications::target_exists(
                tx.conn(),
                storage::certifications::TargetKind::Branch,
                b.0,
            )
            .await?
            {
                return Err(AppError::NotFound);
            }
        }
        let before = storage::notifications::manager_branches(tx.conn(), id).await?;
        storage::notifications::set_manager_branches(tx.conn(), id, &branches, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::ManagerBranchesChanged,
                "user",
                id,
                json!({ "before": before, "after": branches }),
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

pub async fn set_permissions(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    changes: Vec<(Module, Option<bool>)>,
    origin: &Origin,
) -> AppResult<()> {
    may_change_role_or_permissions(actor.as_ref(), id)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(target) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Err(AppError::NotFound);
        };
        let before = storage::permissions::overrides_of(tx.conn(), id).await?;
        for (module, decision) in &changes {
            storage::permissions::set_override(
                tx.conn(),
                id,
                *module,
                *decision,
                actor.user.id,
                now,
            )
            .await?;
        }
        let after = storage::permissions::overrides_of(tx.conn(), id).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::PermissionsChanged,
                "user",
                id,
                json!({ "before": before, "after": after, "role": target.role.as_str() }),
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

pub async fn end_sessions(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    origin: &Origin,
) -> AppResult<u64> {
    crate::domain::permissions::may_end_sessions_of(actor.as_ref(), id)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, &actor.scope)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        let ended = storage::sessions::revoke_all_of_user(tx.conn(), id, None, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::SessionsRevoked,
                "user",
                id,
                json!({ "sessions": ended }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }
    .await
}

pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    login: String,
    password: String,
    confirm: String,
    origin: &Origin,
) -> AppResult<()> {
    if id == actor.user.id {
        // One's own password is changed knowing the current one (not from the users module).
        return Err(AppError::Forbidden(Msg::ErrAdminOnly));
    }
    may_set_password_of(actor.as_ref(), id)?;
    let login = normalize_login(&login).ok_or(AppError::invalid("login", Msg::ErrLoginInvalid))?;
    check_password_strength(&password).map_err(|e| AppError::invalid("password", e.msg()))?;
    if password != confirm {
        return Err(AppError::invalid("confirm", Msg::ErrPasswordsDiffer));
    }
    let hash = password::hash(password).await?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, &actor.scope)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound);
        }
        if let Some(other) = storage::users::get_by_login(tx.conn(), &login).await?
            && other.user.id != id
        {
            return Err(AppError::invalid("login", Msg::ErrLoginTaken));
        }
        storage::users::set_login_and_password(tx.conn(), id, &login, &hash, now).await?;
        // Sessions opened with the old password end.
        storage::sessions::revoke_all_of_user(
            tx.conn(),
            id,
            Some(crate::auth::Surface::Admin),
            now,
        )
        .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::PasswordChanged,
                "user",
                id,
                json!({ "login": login }),
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
