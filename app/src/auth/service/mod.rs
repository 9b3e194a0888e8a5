//! Sign-in and session resolution, shared by the server functions, the public `/auth/*`
//! endpoints and the bot. Every outcome is audited.
//!
//! One file per part: `telegram`, `admin_sign_in`, `sessions` and `admins`; this file holds
//! what they share.

use super::Surface;
use super::cookie::{hash_token, new_token};
use super::password;
use crate::domain::UserId;
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::init_data::{self, InitDataError, MaxAge};
use crate::domain::permissions::{Module, ModuleSet, effective_modules};
use crate::domain::scope::{PeopleScope, visible_people};
use crate::domain::throttle;
use crate::domain::user::{Role, TelegramProfile, User, UserStatus};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

use crate::domain::actor::{Actor, label_of, sign_in_entry};

pub use super::cookie::NewSession;

mod admin_sign_in;
mod admins;
mod sessions;
mod telegram;

pub use admin_sign_in::*;
pub use admins::*;
pub use sessions::*;
pub use telegram::*;

fn entry(state: &AppState, action: AuditAction, origin: &Origin) -> AuditEntry {
    AuditEntry {
        at: state.now(),
        actor_id: None,
        actor_label: String::new(),
        action,
        target_type: None,
        target_id: None,
        details: json!({}),
        origin: origin.clone(),
    }
}
