//! The audit trail: who did what to which target, when and from where.
//! Every feature records through one storage function with these types.

use super::{Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// Kinds of audited actions. The text form is stored and is the key of the Telegram topic the
/// entry is posted to, so variants are only ever added.
macro_rules! audit_actions {
    ($($variant:ident => $text:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditAction { $($variant),* }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $text),* }
            }
        }
    };
}

audit_actions! {
    SignIn => "sign_in",
    SignInFailed => "sign_in_failed",
    SignOut => "sign_out",
    UserRegistered => "user_registered",
    ProfileEdited => "profile_edited",
    AdminCreated => "admin_created",
    DictionaryEdited => "dictionary_edited",
    FileUploaded => "file_uploaded",
    QuestionCreated => "question_created",
    QuestionEdited => "question_edited",
    QuestionArchived => "question_archived",
    QuestionDeleted => "question_deleted",
    QuestionsImported => "questions_imported",
    CertificationCreated => "certification_created",
    CertificationEdited => "certification_edited",
    CertificationStatusChanged => "certification_status_changed",
    TheoryEdited => "theory_edited",
    CertificationQuestionsChanged => "certification_questions_changed",
    AssignmentChanged => "assignment_changed",
    AttemptStarted => "attempt_started",
    AttemptFinished => "attempt_finished",
    ProgressReset => "progress_reset",
    BadgeAwarded => "badge_awarded",
    BadgeRevoked => "badge_revoked",
    BadgeEdited => "badge_edited",
    LevelsEdited => "levels_edited",
    PointsChanged => "points_changed",
    UserEdited => "user_edited",
    UserActivated => "user_activated",
    UserPreregistered => "user_preregistered",
    UsersImported => "users_imported",
    PermissionsChanged => "permissions_changed",
    PasswordChanged => "password_changed",
    SettingsChanged => "settings_changed",
    NotificationResent => "notification_resent",
    NotificationsMuted => "notifications_muted",
    ManagerBranchesChanged => "manager_branches_changed",
}

impl TryFrom<String> for AuditAction {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AuditAction::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == s)
            .ok_or(super::user::UnknownValue(s))
    }
}

/// Where a request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// `miniapp`, `admin`, `bot`, `api` or `cli`.
    pub channel: String,
}

impl Origin {
    pub fn channel(channel: &str) -> Self {
        Self {
            channel: channel.to_owned(),
            ..Self::default()
        }
    }
}

/// One audit entry to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    /// Human-readable actor, kept even if the user is renamed later (e.g. a login typed at a
    /// failed sign-in that matches nobody).
    pub actor_label: String,
    pub action: AuditAction,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Structured details: before/after values, reasons.
    pub details: serde_json::Value,
    pub origin: Origin,
}
