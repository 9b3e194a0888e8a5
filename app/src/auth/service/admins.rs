//! Creating an admin (the CLI's first user).

use super::*;

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
