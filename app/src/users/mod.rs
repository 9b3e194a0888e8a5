//! The users module: list, card, profile edits, activation, pre-registration and import,
//! per-user permissions, passwords (in a modal), points, levels and badges with reasons.

pub mod card;
pub mod list;
#[cfg(feature = "ssr")]
pub mod service;
pub mod timeline;

use crate::domain::gamification::Level;
use crate::domain::permissions::{Module, ModuleSet, PermissionOverride};
use crate::domain::user::{Role, User, UserStatus};
use crate::domain::{BranchId, PositionId, UserId};
use crate::error::AppError;
use crate::gamification::{BadgeRow, BadgeStatus, LedgerRow};
use crate::paging::Page;
use crate::taking::AttemptSummary;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub user: User,
    pub position: Option<String>,
    pub branch: Option<String>,
    pub points: i64,
    /// Completion over their certifications (`domain::rates`).
    pub certs: crate::domain::rates::Rates,
}

/// A certification as the card shows a person's progress in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardProgress {
    pub certification_id: crate::domain::CertId,
    pub title: String,
    pub attempts: Vec<AttemptSummary>,
    /// A full review (with the right answers) is open to them: the reset dialog says so.
    #[serde(default)]
    pub full_review: bool,
    /// Where the person stands, as their own Mini App says it.
    pub state: crate::domain::progress::MyCertState,
    /// Attempts that count, out of the allowed.
    pub attempts_used: i64,
    pub max_attempts: i64,
    /// One more attempt may be given (open, used some, not at 100 %).
    pub may_grant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCard {
    pub user: User,
    pub position: Option<String>,
    pub branch: Option<String>,
    pub has_password: bool,
    pub balance: i64,
    pub level: Option<Level>,
    pub levels: Vec<Level>,
    pub badges: Vec<BadgeStatus>,
    pub catalogue: Vec<BadgeRow>,
    pub ledger: Vec<LedgerRow>,
    pub progress: Vec<CardProgress>,
    pub role_defaults: ModuleSet,
    pub overrides: Vec<PermissionOverride>,
    pub effective: ModuleSet,
    pub branches: Vec<(i64, String)>,
    pub positions: Vec<(i64, String)>,
    /// For managers: the branches they are limited to (empty: everyone).
    pub manager_branches: Vec<BranchId>,
    /// The bot cannot write to this person (they blocked it): since when, and Telegram's words.
    pub tg_unreachable: Option<(crate::domain::Timestamp, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileEdit {
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub status: UserStatus,
    pub position: Option<PositionId>,
    pub branch: Option<BranchId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub telegram_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub position: Option<PositionId>,
    pub branch: Option<BranchId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersImportReport {
    pub imported: usize,
    pub errors: Vec<crate::questions::import::RowError>,
}

#[cfg(feature = "ssr")]
async fn users_actor() -> Result<crate::domain::actor::Actor, AppError> {
    crate::auth::guard::module(crate::domain::permissions::Module::Users).await
}

/// Points, levels and badges from the user card need the gamification module as well, so an
/// admin can let a manager edit people but not reward them.
#[cfg(feature = "ssr")]
async fn rewards_actor() -> Result<crate::domain::actor::Actor, AppError> {
    let actor = users_actor().await?;
    crate::auth::service::require(&actor, crate::domain::permissions::Module::Gamification)?;
    Ok(actor)
}

#[server(prefix = "/api", endpoint = "users/list", output = crate::codec::Json)]
pub async fn list_users(
    search: Option<String>,
    role: Option<Role>,
    status: Option<UserStatus>,
    branch: Option<BranchId>,
    position: Option<PositionId>,
    sort: String,
    page: i64,
) -> Result<Page<UserRow>, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = users_actor().await?;
            let state = crate::auth::guard::state();
            service::list(
                &state, &actor, search, role, status, branch, position, sort, page,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/card", output = crate::codec::Json)]
pub async fn get_user_card(id: UserId) -> Result<UserCard, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = users_actor().await?;
            service::card(&guard::state(), &actor, id).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/update", input = Json, output = crate::codec::Json)]
pub async fn update_user(id: UserId, edit: ProfileEdit) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    guard::respond(
        async {
            let actor = users_actor().await?;
            let origin = guard::origin("admin");
            service::update(
                &guard::state(),
                &By::Person(actor),
                id,
                edit,
                None,
                None,
                &origin,
            )
            .await
            .map(|_| ())
        }
        .await,
    )
}

/// A pending user is let in, with a position and a branch.
#[server(prefix = "/api", endpoint = "users/activate", output = crate::codec::Json)]
pub async fn activate_user(
    id: UserId,
    position: PositionId,
    branch: BranchId,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = users_actor().await?;
            service::activate(
                &guard::state(),
                &actor,
                id,
                position,
                branch,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Registers a person by Telegram id before their first launch (active at once).
#[server(prefix = "/api", endpoint = "users/preregister", input = Json, output = crate::codec::Json)]
pub async fn preregister_user(person: NewPerson) -> Result<UserId, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = users_actor().await?;
            service::create(
                &crate::auth::guard::state(),
                &crate::domain::actor::By::Person(actor),
                &person,
                None,
                &crate::auth::guard::origin("admin"),
            )
            .await
            .map(|u| u.id)
        }
        .await,
    )
}

/// CSV with columns `telegram_id,first_name,last_name,position,branch`: all rows or none.
#[server(prefix = "/api", endpoint = "users/import", input = Json, output = crate::codec::Json)]
pub async fn import_users(csv: String) -> Result<UsersImportReport, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = users_actor().await?;
            service::import(
                &crate::auth::guard::state(),
                &actor,
                csv,
                &crate::auth::guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Limits a manager to some branches (admins only): they see, and hear about, only those
/// branches' people. Empty: no limit.
#[server(prefix = "/api", endpoint = "users/manager_branches", input = Json, output = crate::codec::Json)]
pub async fn set_manager_branches(id: UserId, branches: Vec<BranchId>) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = users_actor().await?;
            service::set_manager_branches(
                &guard::state(),
                &actor,
                id,
                branches,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Grants (`Some(true)`), withdraws (`Some(false)`) or resets to the role's default (`None`).
#[server(prefix = "/api", endpoint = "users/permissions", input = Json, output = crate::codec::Json)]
pub async fn set_permissions(
    id: UserId,
    changes: Vec<(Module, Option<bool>)>,
) -> Result<(), AppError> {
    crate::auth::guard::respond(
        async {
            let actor = users_actor().await?;
            service::set_permissions(
                &crate::auth::guard::state(),
                &actor,
                id,
                changes,
                &crate::auth::guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Sets an admin-panel login and password (admins only, for others).
#[server(prefix = "/api", endpoint = "users/password", output = crate::codec::Json)]
pub async fn set_password(
    id: UserId,
    login: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = users_actor().await?;
            service::set_password(
                &guard::state(),
                &actor,
                id,
                login,
                password,
                confirm,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/points", output = crate::codec::Json)]
pub async fn adjust_points(id: UserId, delta: i64, reason: String) -> Result<i64, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = rewards_actor().await?;
            let by = crate::domain::actor::By::Person(actor);
            service::change_points(
                &crate::auth::guard::state(),
                &by,
                id,
                Some(delta),
                None,
                &reason,
                None,
                &crate::auth::guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/level", output = crate::codec::Json)]
pub async fn set_level(id: UserId, level: i64, reason: String) -> Result<i64, AppError> {
    crate::auth::guard::respond(
        async {
            let actor = rewards_actor().await?;
            let by = crate::domain::actor::By::Person(actor);
            service::change_points(
                &crate::auth::guard::state(),
                &by,
                id,
                None,
                Some(level),
                &reason,
                None,
                &crate::auth::guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/badges/award", output = crate::codec::Json)]
pub async fn award_badge(id: UserId, badge_id: i64, reason: String) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    guard::respond(
        async {
            let actor = rewards_actor().await?;
            service::award(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                badge_id,
                &reason,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "users/badges/revoke", output = crate::codec::Json)]
pub async fn revoke_badge(id: UserId, badge_id: i64, reason: String) -> Result<(), AppError> {
    use crate::auth::guard;
    use crate::domain::actor::By;
    guard::respond(
        async {
            let actor = rewards_actor().await?;
            service::revoke(
                &guard::state(),
                &By::Person(actor),
                &guard::origin("admin"),
                id,
                badge_id,
                &reason,
            )
            .await
        }
        .await,
    )
}

/// Ends every session of a user (Mini App and admin panel), e.g. for a lost phone.
#[server(prefix = "/api", endpoint = "users/sessions/end", output = crate::codec::Json)]
pub async fn end_user_sessions(id: UserId) -> Result<u64, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = users_actor().await?;
            service::end_sessions(&guard::state(), &actor, id, &guard::origin("admin")).await
        }
        .await,
    )
}

/// Re-evaluates the automatic badges of a user.
#[server(prefix = "/api", endpoint = "users/badges/evaluate", output = crate::codec::Json)]
pub async fn evaluate_user_badges(id: UserId) -> Result<usize, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = rewards_actor().await?;
            service::evaluate(&guard::state(), &actor, id).await
        }
        .await,
    )
}
