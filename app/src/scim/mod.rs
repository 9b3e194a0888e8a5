//! SCIM 2.0 provisioning (`/scim/v2`, an API key with the `scim` scope): identity providers
//! create, update, deactivate and group people through the same domain functions as the admin
//! panel (`service`, `groups`). People provisioned without a Telegram id are linked later
//! (`link`): by the id in our extension attribute, by the phone a person shares with the bot,
//! or by a one-time invite link from their card.

#[cfg(feature = "ssr")]
pub mod groups;
#[cfg(feature = "ssr")]
pub mod link;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::{Timestamp, UserId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// Which of our fields SCIM's `userName` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserNameMapping {
    /// The admin-panel login (case-insensitive; an e-mail or UPN fits).
    #[default]
    Login,
    /// The Telegram user id, as digits.
    TelegramId,
}

/// The settings section `scim`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScimSettings {
    pub user_name: UserNameMapping,
}

impl crate::settings::Section for ScimSettings {
    const KEY: &'static str = "scim";
}

/// An invite link just made: shown once, valid until `expires_at`, good for one use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invite {
    pub url: String,
    pub expires_at: Timestamp,
}

#[server(prefix = "/api", endpoint = "scim/settings", input = Json, output = crate::codec::Json)]
pub async fn load_scim_settings() -> Result<ScimSettings, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::integrations_admin().await?;
            service::settings(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "scim/settings/save", input = Json, output = crate::codec::Json)]
pub async fn save_scim_settings(settings: ScimSettings) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::save_settings(
                &guard::state(),
                &actor.user,
                settings,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

/// Makes a one-time link that connects this person's Telegram account (the old one stops
/// working).
#[server(prefix = "/api", endpoint = "users/telegram-invite", input = Json, output = crate::codec::Json)]
pub async fn make_telegram_invite(id: UserId) -> Result<Invite, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Users).await?;
            link::invite(&guard::state(), &actor, id, &guard::origin("admin")).await
        }
        .await,
    )
}
