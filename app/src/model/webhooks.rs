//! The types of `crate::webhooks`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// A subscription as the admin page lists it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct WebhookRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// Comma-separated event names.
    pub events: String,
    pub enabled: bool,
    /// Why it is off (a 410 from the target, an admin).
    pub disabled_reason: Option<String>,
    pub last_success_at: Option<Timestamp>,
    pub last_failure_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// Until when the rotated-out secret still signs.
    pub previous_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub pending: i64,
    pub dead: i64,
}

/// The form of a subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookForm {
    pub name: String,
    pub url: String,
    /// Event names (`user.created`).
    pub events: Vec<String>,
}

/// A subscription just created (or its secret just rotated), with the secret: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSecret {
    pub id: i64,
    pub secret: String,
}

/// One delivery (a row of the HTTP outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DeliveryRow {
    pub id: i64,
    pub event_type: String,
    pub body: String,
    /// pending, delivered, dead
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    pub created_at: Timestamp,
}
