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

#[server(prefix = "/api", endpoint = "api-keys/list", input = Json, output = crate::codec::Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            guard::integrations_admin().await?;
            service::list(&guard::state()).await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "api-keys/create", input = Json, output = crate::codec::Json)]
pub async fn create_api_key(key: NewApiKey) -> Result<CreatedApiKey, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::create(
                &guard::state(),
                Some(&actor.user),
                key,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "api-keys/revoke", input = Json, output = crate::codec::Json)]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::integrations_admin().await?;
            service::revoke(
                &guard::state(),
                Some(&actor.user),
                id,
                &guard::origin("admin"),
            )
            .await
        }
        .await,
    )
}
