//! Domain events: facts that changed state. They are written in the same transaction as the
//! change (an outbox), so notifications, the audit feed and the API consume them reliably.

use super::UserId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainEvent {
    UserRegistered {
        user_id: UserId,
        pending: bool,
    },
    UserEdited {
        user_id: UserId,
        by: Option<UserId>,
        changes: serde_json::Value,
    },
}

impl DomainEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::UserRegistered { .. } => "user_registered",
            DomainEvent::UserEdited { .. } => "user_edited",
        }
    }
}
