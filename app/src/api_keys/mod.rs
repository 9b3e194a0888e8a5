//! API keys (module "API keys"): an admin creates a key with a name, scopes, an optional expiry
//! and address allow-list, sees its secret once, and revokes it. The REST API authenticates
//! with them (`server/src/api`); the command line creates and revokes them too.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

pub use crate::model::api_keys::*;

/// Who sees the API keys, webhooks, xAPI and SCIM pages: an admin with the API keys module
/// (the server functions refuse everyone else whatever the page shows).
pub fn manages_integrations(me: &crate::auth::AdminMe) -> bool {
    me.modules
        .contains(crate::domain::permissions::Module::ApiKeys)
        && me.user.role == crate::domain::user::Role::Admin
}

#[server(prefix = "/api", endpoint = "api-keys/list", input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    crate::auth::guard::respond(service::list_for_admin().await)
}

#[server(prefix = "/api", endpoint = "api-keys/create", input = Json)]
pub async fn create_api_key(key: NewApiKey) -> Result<CreatedApiKey, AppError> {
    crate::auth::guard::respond(service::create_for_admin(key).await)
}

#[server(prefix = "/api", endpoint = "api-keys/revoke", input = Json)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    crate::auth::guard::respond(service::revoke_for_admin(id).await)
}
