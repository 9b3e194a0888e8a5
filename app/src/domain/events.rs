//! Domain events: facts that changed state. They are written in the same transaction as the
//! change (an outbox), so notifications, the audit feed and the API consume them reliably.

use super::{AttemptId, CertId, UserId};
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
    CertificationOpened {
        certification_id: CertId,
    },
    CertificationClosed {
        certification_id: CertId,
    },
    /// A closed certification opened again until a new close date.
    CertificationReopened {
        certification_id: CertId,
    },
    /// A person was given one more attempt: their newest counted attempt stopped counting.
    AttemptGranted {
        user_id: UserId,
        certification_id: CertId,
        by: Option<UserId>,
    },
    /// The theory (this version of it) was read in full for the first time.
    TheoryRead {
        user_id: UserId,
        certification_id: CertId,
        version: i64,
    },
    AttemptStarted {
        attempt_id: AttemptId,
        user_id: UserId,
        certification_id: CertId,
    },
    /// An attempt ended (finished by the user, or by the server when the time ran out).
    /// `first_pass` is true the first time this user passes this certification.
    AttemptFinished {
        attempt_id: AttemptId,
        user_id: UserId,
        certification_id: CertId,
        percent: i64,
        passed: bool,
        first_pass: bool,
    },
    ProgressReset {
        user_id: UserId,
        certification_id: CertId,
        /// None when an API key reset it.
        #[serde(default)]
        by: Option<UserId>,
    },
    PointsPaid {
        user_id: UserId,
        delta: i64,
        source_event: i64,
    },
    LevelReached {
        user_id: UserId,
        level: i64,
    },
    BadgeAwarded {
        user_id: UserId,
        badge_id: i64,
    },
    BadgeRevoked {
        user_id: UserId,
        badge_id: i64,
    },
    /// People were assigned (a position, a branch or one user).
    CertificationAssigned {
        certification_id: CertId,
        target_kind: String,
        target_id: i64,
    },
}

impl DomainEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            DomainEvent::UserRegistered { .. } => "user_registered",
            DomainEvent::UserEdited { .. } => "user_edited",
            DomainEvent::CertificationOpened { .. } => "certification_opened",
            DomainEvent::CertificationClosed { .. } => "certification_closed",
            DomainEvent::CertificationReopened { .. } => "certification_reopened",
            DomainEvent::AttemptGranted { .. } => "attempt_granted",
            DomainEvent::CertificationAssigned { .. } => "certification_assigned",
            DomainEvent::TheoryRead { .. } => "theory_read",
            DomainEvent::AttemptStarted { .. } => "attempt_started",
            DomainEvent::AttemptFinished { .. } => "attempt_finished",
            DomainEvent::ProgressReset { .. } => "progress_reset",
            DomainEvent::PointsPaid { .. } => "points_paid",
            DomainEvent::LevelReached { .. } => "level_reached",
            DomainEvent::BadgeAwarded { .. } => "badge_awarded",
            DomainEvent::BadgeRevoked { .. } => "badge_revoked",
        }
    }
}
