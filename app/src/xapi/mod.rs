//! xAPI statements out (module "API keys", admins only): with an LRS endpoint and Basic
//! credentials set and switched on, learning events (theory read, attempt started, passed,
//! failed, timed out, badge earned, level reached) become xAPI statements (`domain::xapi`),
//! queued by a consumer in the generic HTTP outbox and sent by its sender (`xapi` channel).
//! Statements never block the attempt path: they are written after the fact from events.

#[cfg(feature = "ssr")]
pub mod consumer;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The settings section as stored (the password too: sending needs it; never sent back).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XapiSettings {
    pub enabled: bool,
    /// The LRS's xAPI base, e.g. `https://lrs.example.com/xapi` (statements go to
    /// `<endpoint>/statements`).
    pub endpoint: String,
    pub username: String,
    pub password: String,
}

impl crate::settings::Section for XapiSettings {
    const KEY: &'static str = "xapi";
}

/// What the page shows: the settings without the password, and how sending goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XapiView {
    pub enabled: bool,
    pub endpoint: String,
    pub username: String,
    pub password_set: bool,
    pub pending: i64,
    pub dead: i64,
    pub delivered: i64,
    pub last_error: Option<String>,
}

/// The form; `password: None` keeps the stored one (the field is write-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct XapiForm {
    pub enabled: bool,
    pub endpoint: String,
    pub username: String,
    pub password: Option<String>,
}

#[server(prefix = "/api", endpoint = "xapi/settings", input = Json, output = crate::codec::Json)]
pub async fn load_xapi_settings() -> Result<XapiView, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::integrations_admin().await?;
            service::view(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "xapi/settings/save", input = Json, output = crate::codec::Json)]
pub async fn save_xapi_settings(form: XapiForm) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::save(&guard::state(), &actor.user, form, &guard::origin("admin")).await
        }
        .await,
    )
}
