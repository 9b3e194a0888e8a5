//! Who a certification is assigned to.

use super::*;

/// Assigns a position, branch or person as `by` (the admin panel, or an API key).
pub async fn add_assignment(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    kind: AssignKind,
    target_id: i64,
) -> AppResult<()> {
    let now = state.now();
    let kind = target_kind(kind);
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if cert.status == CertStatus::Closed {
            return Err(AppError::refused(Msg::ErrClosedCertification));
        }
        if !certs::target_exists(tx.conn(), kind, target_id).await?
            || !target_in_scope(&mut tx, by.scope(), kind, target_id).await?
        {
            return Err(AppError::NotFound);
        }
        if certs::add_assignment(tx.conn(), id, kind, target_id, by.user_id(), now).await? {
            storage::audit::record(
                tx.conn(),
                &by.audit(
                    AuditAction::AssignmentChanged,
                    "certification",
                    id,
                    json!({ "op": "add", "kind": kind.as_str(), "target_id": target_id }),
                    origin,
                    now,
                ),
            )
            .await?;
            storage::events::emit(
                tx.conn(),
                &DomainEvent::CertificationAssigned {
                    certification_id: id,
                    target_kind: kind.as_str().into(),
                    target_id,
                },
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// Removes an assignment as `by` (only before the opening).
pub async fn remove_assignment(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    kind: AssignKind,
    target_id: i64,
) -> AppResult<()> {
    let now = state.now();
    let kind = target_kind(kind);
    async {
        let mut tx = state.db.begin().await?;
        let cert = locked(tx.conn(), id).await?;
        if !target_in_scope(&mut tx, by.scope(), kind, target_id).await? {
            return Err(AppError::NotFound);
        }
        if cert.status.has_opened() {
            return Err(AppError::refused(Msg::ErrUnassignAfterOpen));
        }
        if certs::remove_assignment(tx.conn(), id, kind, target_id).await? {
            storage::audit::record(
                tx.conn(),
                &by.audit(
                    AuditAction::AssignmentChanged,
                    "certification",
                    id,
                    json!({ "op": "remove", "kind": kind.as_str(), "target_id": target_id }),
                    origin,
                    now,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// Whether an assignment's target is within the actor's people: a person or a branch they
/// see (a position reaches people of every branch and is a certification-wide choice).
async fn target_in_scope(
    tx: &mut storage::Tx,
    scope: &PeopleScope,
    kind: TargetKind,
    target_id: i64,
) -> Result<bool, StorageError> {
    Ok(match kind {
        TargetKind::Position => true,
        TargetKind::Branch => scope.includes(Some(crate::domain::BranchId(target_id))),
        TargetKind::User => {
            storage::users::get_in_scope(tx.conn(), crate::domain::UserId(target_id), scope)
                .await?
                .is_some()
        }
    })
}

pub async fn assign_targets(state: &AppState, actor: &Actor) -> AppResult<AssignOptions> {
    let mut c = state.db.read().await.map_err(AppError::from)?;
    use storage::dictionaries::{Dictionary, list};
    let result = async {
        let positions = list(c.conn(), Dictionary::Positions).await?;
        let branches = list(c.conn(), Dictionary::Branches)
            .await?
            .into_iter()
            .filter(|b| actor.scope.includes(Some(crate::domain::BranchId(b.id))))
            .collect::<Vec<_>>();
        let users = storage::users::list_active(c.conn(), &actor.scope, 1000).await?;
        Ok::<_, StorageError>(AssignOptions {
            positions: positions.into_iter().map(|e| (e.id, e.name)).collect(),
            branches: branches.into_iter().map(|e| (e.id, e.name)).collect(),
            users: users.into_iter().map(|u| (u.id.0, u.full_name())).collect(),
        })
    }
    .await;
    result.map_err(AppError::from)
}
