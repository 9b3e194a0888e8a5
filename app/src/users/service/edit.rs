//! Editing a person: profile fields, placement, status and activation.

use super::*;

/// Refuses a position or branch that does not exist (a stale form, a crafted request) with a
/// field error instead of a foreign-key failure.
pub(super) async fn check_placement(
    tx: &mut storage::Tx,
    position: Option<PositionId>,
    branch: Option<BranchId>,
) -> AppResult<()> {
    use storage::certifications::{TargetKind, target_exists};
    if let Some(p) = position
        && !target_exists(tx.conn(), TargetKind::Position, p.0).await?
    {
        return Err(AppError::invalid("position", Msg::ErrNotFound));
    }
    if let Some(b) = branch
        && !target_exists(tx.conn(), TargetKind::Branch, b.0).await?
    {
        return Err(AppError::invalid("branch", Msg::ErrNotFound));
    }
    Ok(())
}

pub(super) fn validate_names(first: &str, last: &str) -> AppResult<(String, String)> {
    let (f, l) = crate::profile::service::parse_names(first, last)?;
    Ok((f.into(), l.map(String::from).unwrap_or_default()))
}

/// Edits a person's profile fields, role and status as `by` (the admin panel or an API key),
/// under the same rules. With `expected_version` (an API `If-Match`), refuses with
/// [`AppError::PreconditionFailed`] when the person changed since the caller read them. With
/// `external_id`, sets (or with `Some(None)` clears) the HR id in the same change.
pub async fn update(
    state: &AppState,
    by: &By,
    id: UserId,
    edit: ProfileEdit,
    external_id: Option<Option<&str>>,
    expected_version: Option<i64>,
    origin: &Origin,
) -> AppResult<User> {
    async {
        let mut tx = state.db.begin().await?;
        let change = Change {
            edit,
            external_id,
            expected_version,
            more: serde_json::Map::new(),
        };
        let after = update_in_tx(state, &mut tx, by, id, change, origin).await?;
        tx.commit().await?;
        Ok(after)
    }
    .await
}

/// One edit of a person for [`update_in_tx`]; `more` adds changes the caller made in the same
/// transaction (SCIM's login and phone) to the audit entry and the event.
pub struct Change<'a> {
    pub edit: ProfileEdit,
    pub external_id: Option<Option<&'a str>>,
    pub expected_version: Option<i64>,
    pub more: serde_json::Map<String, serde_json::Value>,
}

/// [`update`] inside the caller's transaction: the rules, the write, the audit entry and
/// the `UserEdited` event.
pub async fn update_in_tx(
    state: &AppState,
    tx: &mut storage::Tx,
    by: &By,
    id: UserId,
    change: Change<'_>,
    origin: &Origin,
) -> AppResult<User> {
    let Change {
        edit,
        external_id,
        expected_version,
        more,
    } = change;
    let (first, last) = match validate_names(&edit.first_name, &edit.last_name) {
        Ok(n) => n,
        Err(e) => return Err(e),
    };
    let now = state.now();
    let actor = by.as_ref();
    storage::users::lock(tx.conn(), id).await?;
    let Some(before) = storage::users::get_in_scope(tx.conn(), id, by.scope()).await? else {
        return Err(AppError::NotFound);
    };
    if edit.branch != before.branch_id && !by.scope().includes(edit.branch) {
        return Err(out_of_scope());
    }
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(AppError::PreconditionFailed);
    }
    if let Err(e) = may_edit_profile(actor, id, before.role) {
        return Err(e.into());
    }
    let changes_access =
        edit.role != before.role || (id == actor.id && edit.status != before.status);
    if changes_access && let Err(e) = may_change_role_or_permissions(actor, id) {
        return Err(e.into());
    }
    if edit.status != before.status && actor.role != Role::Admin && before.role != Role::Employee {
        return Err(AppError::Forbidden(Msg::ErrAdminOnly));
    }
    if edit.status == UserStatus::Pending && before.status != UserStatus::Pending {
        return Err(AppError::invalid("status", Msg::ErrValidation));
    }
    check_placement(tx, edit.position, edit.branch).await?;
    let new_external = external_id.filter(|e| *e != before.external_id.as_deref());
    if let Some(Some(ext)) = new_external
        && storage::users::get_by_external_id(tx.conn(), ext)
            .await?
            .is_some()
    {
        return Err(AppError::invalid("external_id", Msg::ErrExternalIdTaken));
    }
    storage::users::update_profile(
        tx.conn(),
        id,
        &first,
        &last,
        edit.role,
        edit.status,
        edit.position,
        edit.branch,
        now,
    )
    .await?;
    if let Some(ext) = new_external {
        storage::users::set_external_id(tx.conn(), id, ext, now).await?;
    }
    if edit.status == UserStatus::Deactivated && before.status != UserStatus::Deactivated {
        storage::sessions::revoke_all_of_user(tx.conn(), id, None, now).await?;
    }
    let mut changes = json!({
        "first_name": [before.first_name, first], "last_name": [before.last_name, last],
        "role": [before.role.as_str(), edit.role.as_str()], "status": [before.status.as_str(), edit.status.as_str()],
        "position_id": [before.position_id, edit.position], "branch_id": [before.branch_id, edit.branch],
    });
    if let Some(ext) = new_external {
        changes["external_id"] = json!([before.external_id, ext]);
    }
    if let Some(map) = changes.as_object_mut() {
        map.extend(more);
    }
    storage::audit::record(
        tx.conn(),
        &by.audit(
            AuditAction::UserEdited,
            "user",
            id,
            changes.clone(),
            origin,
            now,
        ),
    )
    .await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::UserEdited {
            user_id: id,
            by: by.user_id(),
            changes,
        },
        now,
    )
    .await?;
    let Some(after) = storage::users::get(tx.conn(), id).await? else {
        return Err(AppError::NotFound);
    };
    Ok(after)
}

pub async fn activate(
    state: &AppState,
    actor: &Actor,
    id: UserId,
    position: PositionId,
    branch: BranchId,
    origin: &Origin,
) -> AppResult<()> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        // A pending person has no branch yet: a manager limited to branches does not see them.
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Err(AppError::NotFound);
        };
        if user.status != UserStatus::Pending {
            return Err(AppError::refused(Msg::ErrNotPending));
        }
        if let Err(e) = may_change_status(actor.as_ref(), id, user.role) {
            return Err(e.into());
        }
        use storage::certifications::{TargetKind, target_exists};
        if !target_exists(tx.conn(), TargetKind::Position, position.0).await?
            || !target_exists(tx.conn(), TargetKind::Branch, branch.0).await?
        {
            return Err(AppError::NotFound);
        }
        storage::users::set_placement(tx.conn(), id, Some(position), Some(branch), now).await?;
        storage::users::set_role_and_status(tx.conn(), id, user.role, UserStatus::Active, now)
            .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::UserActivated,
                "user",
                id,
                json!({ "position_id": position, "branch_id": branch }),
                origin,
                now,
            ),
        )
        .await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::UserEdited {
                user_id: id,
                by: Some(actor.user.id),
                changes: json!({ "status": ["pending", "active"] }),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}
