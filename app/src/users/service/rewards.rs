//! Points, levels and badges by hand, through the ledger.

use super::*;

/// Changes a person's points by `delta` (or to the start of `level`) as `by`. An entry with a
/// `source_key` already paid is not paid again: the API's idempotency key for a ledger entry.
#[allow(clippy::too_many_arguments)]
pub async fn change_points(
    state: &AppState,
    by: &By,
    id: UserId,
    delta: Option<i64>,
    level: Option<i64>,
    reason: &str,
    source_key: Option<&str>,
    origin: &Origin,
) -> AppResult<i64> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    if delta.is_some_and(|d| d.abs() > crate::domain::certification::MAX_POINTS) {
        return Err(AppError::invalid("points_delta", Msg::ErrPointsChange));
    }
    let reason = reason_of(reason)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, by.scope()).await? else {
            return Err(AppError::NotFound);
        };
        let balance = storage::gamification::balance(tx.conn(), id).await?;
        let delta = match (delta, level) {
            (Some(d), _) => d,
            (None, Some(number)) => {
                let levels = storage::gamification::levels(tx.conn()).await?;
                let Some(l) = levels.iter().find(|l| l.number == number) else {
                    return Err(AppError::NotFound);
                };
                delta_to_level(balance, l)
            }
            _ => 0,
        };
        let (source, key) = match source_key {
            // A manual entry (the ledger's `admin` source) keyed by the API's idempotency key.
            Some(k) => ("admin", format!("api:{id}:{k}")),
            None => ("admin", format!("admin:{}:{}", id, crate::auth::cookie::new_token())),
        };
        let paid = pay(
            tx.conn(),
            &Payment { user: &user, delta, reason: &reason, source, source_key: &key, admin: by.user_id(), certification: None },
            now,
        )
        .await?;
        let after = match paid {
            Paid::Yes { balance } => balance,
            // Paid before under the same key: nothing changes, nothing more is recorded.
            Paid::AlreadyPaid => return Ok(balance),
            Paid::Refused(r) => return Err(AppError::refused(r.msg())),
        };
        storage::audit::record(tx.conn(), &by.audit(AuditAction::PointsChanged, "user", id,
            json!({ "delta": delta, "before": balance, "after": after, "reason": reason, "level": level }), origin, now)).await?;
        storage::events::emit(tx.conn(), &DomainEvent::PointsPaid { user_id: id, delta, source_event: 0 }, now).await?;
        tx.commit().await?;
        Ok(after)
    }
    .await
}

/// Awards a manual badge as `by` (the panel, or an API key); employees only.
pub async fn award(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: UserId,
    badge_id: i64,
    reason: &str,
) -> AppResult<()> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    let reason = reason_of(reason)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let (Some(user), Some(badge)) = (
            storage::users::get_in_scope(tx.conn(), id, by.scope()).await?,
            storage::gamification::badge(tx.conn(), badge_id).await?,
        ) else {
            return Err(AppError::NotFound);
        };
        if badge.kind != "manual" {
            return Err(AppError::refused(Msg::ErrBadgeNotManual));
        }
        let key = format!("manual:{}:{}", badge_id, crate::auth::cookie::new_token());
        let award = BadgeAward {
            user: &user,
            badge: &badge,
            by: Some(by),
            reason: &reason,
            source_key: &key,
            origin,
        };
        if !award_badge(tx.conn(), &award, now).await? {
            return Err(AppError::refused(Msg::ErrBadgeHeld));
        }
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// Revokes a badge someone holds as `by`.
pub async fn revoke(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: UserId,
    badge_id: i64,
    reason: &str,
) -> AppResult<()> {
    may_change_rewards_or_progress(by.as_ref(), id)?;
    let reason = reason_of(reason)?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        if storage::users::get_in_scope(tx.conn(), id, by.scope())
            .await?
            .is_none()
            || !storage::gamification::revoke(tx.conn(), id, badge_id, by.user_id(), &reason, now)
                .await?
        {
            return Err(AppError::NotFound);
        }
        storage::audit::record(
            tx.conn(),
            &by.audit(
                AuditAction::BadgeRevoked,
                "user",
                id,
                json!({ "badge_id": badge_id, "reason": reason }),
                origin,
                now,
            ),
        )
        .await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::BadgeRevoked {
                user_id: id,
                badge_id,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await
}

pub async fn evaluate(state: &AppState, actor: &Actor, id: UserId) -> AppResult<usize> {
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let Some(user) = storage::users::get_in_scope(tx.conn(), id, &actor.scope).await? else {
            return Err(AppError::NotFound);
        };
        let n = evaluate_badges(
            tx.conn(),
            &user,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
    .await
}
