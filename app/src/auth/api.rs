//! Server functions of sign-in and sessions.

use super::{AdminMe, DevUser, Surface};
use crate::domain::UserId;
use crate::domain::user::User;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{cookie, guard, service};

/// Mini App sign-in with the raw initData string; sets the Mini App session cookie.
#[server(prefix = "/api", endpoint = "auth/telegram_sign_in", output = crate::codec::Json)]
pub async fn telegram_sign_in(init_data: String) -> Result<User, AppError> {
    guard::respond(
        async {
            let state = guard::state();
            let existing = guard::session_token(Surface::MiniApp);
            let (user, session) = service::sign_in_telegram(
                &state,
                &init_data,
                existing.as_deref(),
                &guard::origin("miniapp"),
            )
            .await?;
            guard::set_cookie(&cookie::session_cookie(
                Surface::MiniApp,
                &session.token,
                session.max_age_secs,
                state.config.secure_cookies,
            ));
            Ok(user)
        }
        .await,
    )
}

/// The Mini App user of this browser, if signed in (whatever their status).
#[server(prefix = "/api", endpoint = "auth/member", output = crate::codec::Json)]
pub async fn current_member() -> Result<Option<User>, AppError> {
    guard::respond(
        guard::actor(Surface::MiniApp)
            .await
            .map(|a| a.map(|a| a.user)),
    )
}

/// Admin-panel sign-in; sets the admin session cookie.
#[server(prefix = "/api", endpoint = "auth/admin_sign_in", output = crate::codec::Json)]
pub async fn admin_sign_in(login: String, password: String) -> Result<AdminMe, AppError> {
    guard::respond(
        async {
            let state = guard::state();
            let (user, session) =
                service::sign_in_admin(&state, &login, &password, &guard::origin("admin")).await?;
            guard::set_cookie(&cookie::session_cookie(
                Surface::Admin,
                &session.token,
                session.max_age_secs,
                state.config.secure_cookies,
            ));
            let modules = service::modules_of(&state, &user).await?;
            Ok(AdminMe { user, modules })
        }
        .await,
    )
}

/// The admin-panel user of this browser with their modules, if signed in.
#[server(prefix = "/api", endpoint = "auth/admin", output = crate::codec::Json)]
pub async fn current_admin() -> Result<Option<AdminMe>, AppError> {
    guard::respond(
        async {
            Ok(guard::actor(Surface::Admin)
                .await?
                .filter(service::has_admin_access)
                .map(|a| AdminMe {
                    user: a.user,
                    modules: a.modules,
                }))
        }
        .await,
    )
}

/// Ends the session of this surface and clears its cookie.
#[server(prefix = "/api", endpoint = "auth/sign_out", output = crate::codec::Json)]
pub async fn sign_out(surface: Surface) -> Result<(), AppError> {
    guard::respond(
        async {
            let state = guard::state();
            if let Some(actor) = guard::actor(surface).await? {
                service::sign_out(&state, &actor, surface, &guard::origin(surface.as_str()))
                    .await?;
            }
            guard::set_cookie(&cookie::clear_cookie(surface, state.config.secure_cookies));
            Ok(())
        }
        .await,
    )
}

/// Users offered by the development sign-in; refused unless dev sign-in is on.
#[server(prefix = "/api", endpoint = "auth/dev_users", output = crate::codec::Json)]
pub async fn dev_users() -> Result<Vec<DevUser>, AppError> {
    guard::respond(
        async {
            let state = guard::state();
            if !state.config.dev_login {
                return Err(AppError::Forbidden(crate::i18n::Msg::ErrDevLoginDisabled));
            }
            let mut read = state.db.read().await.map_err(AppError::from)?;
            let users = crate::storage::users::list_active(
                read.conn(),
                &crate::domain::scope::PeopleScope::Everyone,
                50,
            )
            .await
            .map_err(AppError::from)?;
            drop(read);
            let mut out = Vec::with_capacity(users.len());
            for u in users {
                let modules = service::modules_of(&state, &u).await?;
                out.push(DevUser {
                    id: u.id,
                    name: u.full_name(),
                    role: u.role,
                    has_admin_access: u.role != crate::domain::user::Role::Employee
                        || !modules.is_empty(),
                });
            }
            Ok(out)
        }
        .await,
    )
}

/// Development sign-in as a demo user; refused unless dev sign-in is on.
#[server(prefix = "/api", endpoint = "auth/dev_sign_in", output = crate::codec::Json)]
pub async fn dev_sign_in(user_id: UserId, surface: Surface) -> Result<(), AppError> {
    guard::respond(
        async {
            let state = guard::state();
            let (_, session) =
                service::sign_in_dev(&state, user_id, surface, &guard::origin(surface.as_str()))
                    .await?;
            guard::set_cookie(&cookie::session_cookie(
                surface,
                &session.token,
                session.max_age_secs,
                state.config.secure_cookies,
            ));
            Ok(())
        }
        .await,
    )
}
