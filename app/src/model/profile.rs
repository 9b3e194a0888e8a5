//! The types of `crate::profile`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::user::{Role, UserStatus};
use crate::domain::{TelegramId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ProfileView {
    pub id: UserId,
    pub telegram_id: Option<TelegramId>,
    pub first_name: String,
    pub last_name: String,
    pub username: Option<String>,
    pub photo_url: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub role: Role,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: UserStatus,
    pub position: Option<String>,
    pub branch: Option<String>,
    pub registered_at: Timestamp,
    pub login: Option<String>,
}
