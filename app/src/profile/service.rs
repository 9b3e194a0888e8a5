//! Reading and editing profiles.

use super::ProfileView;
use crate::domain::UserId;
use crate::domain::actor::{Actor, audit_by, label_of};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::user::{PersonName, User};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::storage;
use serde_json::json;

pub async fn profile(state: &AppState, id: UserId) -> AppResult<ProfileView> {
    let mut read = state.db.read().await.map_err(AppError::from)?;
    storage::users::profile(read.conn(), id)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)
}

/// Validates both names and reports every bad field at once.
pub fn parse_names(first: &str, last: &str) -> AppResult<(PersonName, Option<PersonName>)> {
    let first = PersonName::parse(first);
    let last = PersonName::parse_optional(last);
    let mut fields = Vec::new();
    if let Err(e) = &first {
        fields.push(FieldError {
            field: "first_name".into(),
            msg: e.msg(),
        });
    }
    if let Err(e) = &last {
        fields.push(FieldError {
            field: "last_name".into(),
            msg: e.msg(),
        });
    }
    match (first, last) {
        (Ok(f), Ok(l)) => Ok((f, l)),
        _ => Err(AppError::Invalid { fields }),
    }
}

/// Sets a user's names (their own, or another's from the users module once permitted by the
/// caller), audited with before and after, and published as a `UserEdited` event.
pub async fn update_names(
    state: &AppState,
    by: &User,
    target: UserId,
    first: &str,
    last: &str,
    origin: &Origin,
) -> AppResult<User> {
    let (first, last) = parse_names(first, last)?;
    let last = last.map(String::from).unwrap_or_default();
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        let Some(before) = storage::users::get(tx.conn(), target).await? else {
            return Ok(None);
        };
        let Some(after) =
            storage::users::update_names(tx.conn(), target, first.as_str(), &last, now).await?
        else {
            return Ok(None);
        };
        let changes = json!({
            "first_name": { "before": before.first_name, "after": after.first_name },
            "last_name": { "before": before.last_name, "after": after.last_name },
        });
        let entry = AuditEntry {
            at: now,
            actor_id: Some(by.id),
            actor_label: label_of(by),
            action: AuditAction::ProfileEdited,
            target_type: Some("user".into()),
            target_id: Some(target.to_string()),
            details: changes.clone(),
            origin: origin.clone(),
        };
        storage::audit::record(tx.conn(), &entry).await?;
        storage::events::emit(
            tx.conn(),
            &DomainEvent::UserEdited {
                user_id: target,
                by: Some(by.id),
                changes,
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(Some(after))
    }
    .await;
    result?.ok_or(AppError::NotFound)
}

/// One's own password, changed knowing the current one. The check of the current password is
/// throttled like a sign-in (it is one).
pub async fn change_own_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    password: &str,
    confirm: &str,
    origin: &Origin,
) -> AppResult<()> {
    use crate::domain::user::check_password_strength;
    let Some(login) = actor.user.login.clone() else {
        return Err(AppError::refused(crate::i18n::Msg::ErrNoPasswordYet));
    };
    check_password_strength(password).map_err(|e| AppError::invalid("password", e.msg()))?;
    if password != confirm {
        return Err(AppError::invalid(
            "confirm",
            crate::i18n::Msg::ErrPasswordsDiffer,
        ));
    }
    let stored = {
        let mut read = state.db.read().await.map_err(AppError::from)?;
        storage::users::get_by_login(read.conn(), &login)
            .await
            .map_err(AppError::from)?
            .and_then(|u| u.password_hash)
    };
    if !crate::auth::service::check_current_password(state, &login, current, stored).await? {
        return Err(AppError::invalid(
            "current",
            crate::i18n::Msg::ErrCurrentPassword,
        ));
    }
    let hash = crate::auth::password::hash(password.to_owned()).await?;
    let now = state.now();
    let result = async {
        let mut tx = state.db.begin().await?;
        storage::users::set_login_and_password(tx.conn(), actor.user.id, &login, &hash, now)
            .await?;
        storage::sessions::revoke_others(
            tx.conn(),
            actor.user.id,
            crate::auth::Surface::Admin,
            actor.session_id,
            now,
        )
        .await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(
                &actor.user,
                AuditAction::PasswordChanged,
                "user",
                actor.user.id,
                json!({ "login": login, "own": true }),
                origin,
                now,
            ),
        )
        .await?;
        tx.commit().await
    }
    .await;
    result.map_err(AppError::from)
}
