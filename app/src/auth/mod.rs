//! Sign-in: Telegram initData for the Mini App, login and password for the admin panel, and a
//! development-only sign-in. Sessions live in the database; the cookie holds a random token.

pub mod api;
#[cfg(feature = "ssr")]
pub mod cookie;
#[cfg(feature = "ssr")]
pub mod failures;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod launches;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::UserId;
use crate::domain::permissions::ModuleSet;
use crate::domain::user::{Role, User};
use serde::{Deserialize, Serialize};

pub use crate::domain::actor::Surface;

/// The signed-in admin-panel user with the modules they may open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminMe {
    pub user: User,
    pub modules: ModuleSet,
}

/// A user offered on the development sign-in page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevUser {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub has_admin_access: bool,
}
