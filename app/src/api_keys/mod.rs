//! API keys (module "API keys"): an admin creates a key with a name, scopes, an optional expiry
//! and address allow-list, sees its secret once, and revokes it. The REST API authenticates
//! with them (`server/src/api`); the command line creates and revokes them too.

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::Timestamp;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// A key as lists and the API's authentication see it. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to tell keys apart.
    pub prefix: String,
    /// Comma-separated scopes (`users:read,users:write`).
    pub scopes: String,
    /// Addresses and networks the key may be used from; empty: anywhere.
    pub ip_allow: String,
    pub rate_per_sec: i64,
    pub burst: i64,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub request_count: i64,
    pub created_at: Timestamp,
}

/// The form of a new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub name: String,
    /// Scope names (`users:read`, `admin`).
    pub scopes: Vec<String>,
    pub expires_days: Option<i64>,
    pub ip_allow: String,
    pub rate_per_sec: i64,
    pub burst: i64,
}

impl Default for NewApiKey {
    fn default() -> Self {
        NewApiKey {
            name: String::new(),
            scopes: Vec::new(),
            expires_days: None,
            ip_allow: String::new(),
            rate_per_sec: 50,
            burst: 100,
        }
    }
}

/// A key just created, with its secret: shown once, never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKeyRow,
    pub secret: String,
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
