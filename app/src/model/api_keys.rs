//! The types of `crate::api_keys`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::Timestamp;
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
