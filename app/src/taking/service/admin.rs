//! For the admin panel: the preview, a certification's results and resets.

use super::*;

pub async fn preview(state: &AppState, id: CertId) -> AppResult<PreviewData> {
    let data = crate::certifications::service::load_editor(state, id).await?;
    let asked = build_questions(
        &data
            .questions
            .iter()
            .map(|q| (q.id, q.revision, q.content.clone()))
            .collect::<Vec<_>>(),
        None,
        data.cert.settings.shuffle_questions,
        data.cert.settings.shuffle_options,
        rand::random(),
    );
    Ok(PreviewData {
        title: data.cert.settings.title.clone(),
        blocks: data.blocks,
        materials: data.materials,
        questions: asked.iter().map(|q| q.view()).collect(),
        time_limit_secs: data.cert.settings.time_limit_secs,
    })
}

/// Resets a person's progress in a certification as `by` (the panel, or an API key): the
/// attempts so far stop counting, the result stays in the history.
pub async fn reset(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    user_id: UserId,
    reason: &str,
    require_reread: bool,
) -> AppResult<()> {
    crate::domain::permissions::may_change_rewards_or_progress(by.as_ref(), user_id)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
    }
    let now = state.now();
    let result: AppResult<()> =
        async {
            let mut tx = state.db.begin().await?;
            if certs::get_for_update(tx.conn(), id).await?.is_none() {
                return Err(AppError::NotFound);
            }
            let Some(target) = storage::users::get_in_scope(tx.conn(), user_id, by.scope()).await?
            else {
                return Err(AppError::NotFound);
            };
            if target.status == UserStatus::Pending {
                return Err(AppError::NotFound);
            }
            store::ensure_progress(tx.conn(), user_id, id, now).await?;
            store::reset(tx.conn(), user_id, id, require_reread, now).await?;
            storage::audit::record(
            tx.conn(),
            &by.audit(AuditAction::ProgressReset, "user", user_id,
                json!({ "certification_id": id, "reason": reason, "require_reread": require_reread,
                        "user": label_of(&target) }), origin, now),
        )
        .await?;
            storage::events::emit(
                tx.conn(),
                &DomainEvent::ProgressReset {
                    user_id,
                    certification_id: id,
                    by: by.user_id(),
                },
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        }
        .await;
    result
}

/// Gives a person one more attempt as `by` (the panel, or an API key): their newest counted
/// attempt stops counting and stays in the history. Refused on a certification that is not
/// open, for a person who passed at 100 % or has used no attempt.
pub async fn grant_attempt(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    user_id: UserId,
) -> AppResult<()> {
    crate::domain::permissions::may_change_rewards_or_progress(by.as_ref(), user_id)?;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let Some(cert) = certs::get_for_update(tx.conn(), id).await? else {
        return Err(AppError::NotFound);
    };
    let Some(target) = storage::users::get_in_scope(tx.conn(), user_id, by.scope()).await? else {
        return Err(AppError::NotFound);
    };
    if target.status == UserStatus::Pending {
        return Err(AppError::NotFound);
    }
    let progress = store::progress_for_update(tx.conn(), user_id, id)
        .await?
        .unwrap_or_default();
    let standing = Standing {
        attempts_used: progress.attempts_used,
        best_percent: progress.best_percent,
        in_progress: false,
    };
    if let Err(refusal) =
        crate::domain::attempt::may_grant_attempt(cert.status == CertStatus::Open, standing)
    {
        return Err(AppError::refused(refusal.msg()));
    }
    if !store::give_attempt_back(tx.conn(), user_id, id, now).await? {
        return Err(AppError::Conflict);
    }
    let details = json!({ "certification_id": id, "certification": cert.settings.title,
        "user": label_of(&target), "attempts_used": progress.attempts_used - 1,
        "max_attempts": cert.settings.max_attempts });
    storage::audit::record(
        tx.conn(),
        &by.audit(
            AuditAction::AttemptGranted,
            "user",
            user_id,
            details,
            origin,
            now,
        ),
    )
    .await?;
    storage::events::emit(
        tx.conn(),
        &DomainEvent::AttemptGranted {
            user_id,
            certification_id: id,
            by: by.user_id(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An attempt's integrity record, for an admin who may see its person.
pub async fn record(state: &AppState, actor: &Actor, id: AttemptId) -> AppResult<AttemptRecord> {
    let now = state.now();
    let mut c = state.db.read().await?;
    let Some(a) = store::get(c.conn(), id).await? else {
        return Err(AppError::NotFound);
    };
    // Outside the admin's people, as if there were no such attempt.
    let Some(user) = storage::users::get_in_scope(c.conn(), a.user_id, &actor.scope).await? else {
        return Err(AppError::NotFound);
    };
    let Some(cert) = certs::get(c.conn(), a.certification_id).await? else {
        return Err(AppError::NotFound);
    };
    let events = store::events(c.conn(), id).await?;
    let attempts = store::history(c.conn(), a.user_id, a.certification_id).await?;
    let Some(attempt) = attempts.iter().find(|s| s.id == id).cloned() else {
        return Err(AppError::NotFound);
    };
    let end = a.finished_at.unwrap_or(now);
    let integrity =
        crate::domain::integrity::assess(&events, a.shapes.len(), end, !a.in_progress());
    Ok(AttemptRecord {
        attempt,
        user_id: user.id,
        name: user.full_name(),
        certification_id: cert.id,
        title: cert.settings.title.clone(),
        mode: a.timer_mode,
        questions: a.shapes.len() as i64,
        integrity,
        attempts,
    })
}
