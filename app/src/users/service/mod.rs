//! The users module's rules on the server. Roles, permissions and other people's passwords are
//! for admins only, and nobody changes their own role or permissions; a manager with the module
//! edits employees' profile fields only.
//!
//! One file per part: `read` (list and card), `edit`, `register` (and import), `access` and
//! `rewards` (through the ledger); this file holds what they share.

use super::{CardProgress, NewPerson, ProfileEdit, UserCard, UserRow, UsersImportReport};
use crate::auth::password;
use crate::domain::actor::{Actor, By, audit_by};
use crate::domain::audit::AuditAction;
use crate::domain::audit::Origin;
use crate::domain::events::DomainEvent;
use crate::domain::gamification::{delta_to_level, level_of};
use crate::domain::permissions::{
    Module, effective_modules, may_change_rewards_or_progress, may_change_role_or_permissions,
    may_change_status, may_edit_profile, may_set_password_of, role_defaults,
};
use crate::domain::scope::PeopleScope;
use crate::domain::user::{Role, User, UserStatus, check_password_strength, normalize_login};
use crate::domain::{BranchId, PositionId, TelegramId, UserId};
use crate::error::{AppError, AppResult};
use crate::gamification::BadgeStatus;
use crate::gamification::ledger::{BadgeAward, Paid, Payment, award_badge, evaluate_badges, pay};
use crate::i18n::Msg;
use crate::paging::{DEFAULT_PER_PAGE, Page, window};
use crate::state::AppState;
use crate::storage::{self};
use serde_json::json;

mod access;
mod edit;
mod read;
mod register;
mod rewards;

pub use access::*;
pub use edit::*;
pub use read::*;
pub use register::*;
pub use rewards::*;

/// A branch the actor may not place people in.
fn out_of_scope() -> AppError {
    AppError::invalid("branch", Msg::ErrBranchOutOfScope)
}

fn reason_of(reason: &str) -> AppResult<String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
    }
    Ok(r.to_owned())
}
