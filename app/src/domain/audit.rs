//! The audit trail: who did what to which target, when and from where.
//! Every feature records through one storage function with these types.

use super::{Timestamp, UserId};
use crate::i18n::Msg;
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
    AttemptTimedOut => "attempt_timed_out",
    SessionsRevoked => "sessions_revoked",
    ApiKeyCreated => "api_key_created",
    ApiKeyRevoked => "api_key_revoked",
    ApiKeyUsed => "api_key_used",
    WebhookChanged => "webhook_changed",
    TelegramLinked => "telegram_linked",
    TelegramInviteCreated => "telegram_invite_created",
    AttemptGranted => "attempt_granted",
    CertificationReopened => "certification_reopened",
    RemindersSent => "reminders_sent",
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

/// The groups of audited actions: the admin page filters by them and the Telegram feed posts
/// each group into its own forum topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditGroup {
    Access,
    People,
    Certifications,
    Attempts,
    Rewards,
    Settings,
}

impl AuditGroup {
    pub const ALL: [AuditGroup; 6] = [
        AuditGroup::Access,
        AuditGroup::People,
        AuditGroup::Certifications,
        AuditGroup::Attempts,
        AuditGroup::Rewards,
        AuditGroup::Settings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditGroup::Access => "access",
            AuditGroup::People => "people",
            AuditGroup::Certifications => "certifications",
            AuditGroup::Attempts => "attempts",
            AuditGroup::Rewards => "rewards",
            AuditGroup::Settings => "settings",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            AuditGroup::Access => Msg::AuditGroupAccess,
            AuditGroup::People => Msg::AuditGroupPeople,
            AuditGroup::Certifications => Msg::AuditGroupCertifications,
            AuditGroup::Attempts => Msg::AuditGroupAttempts,
            AuditGroup::Rewards => Msg::AuditGroupRewards,
            AuditGroup::Settings => Msg::AuditGroupSettings,
        }
    }

    /// The actions of the group.
    pub fn actions(self) -> Vec<AuditAction> {
        AuditAction::ALL
            .iter()
            .copied()
            .filter(|a| a.group() == self)
            .collect()
    }
}

impl std::str::FromStr for AuditGroup {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AuditGroup::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl AuditAction {
    pub fn group(self) -> AuditGroup {
        match self {
            AuditAction::SignIn => AuditGroup::Access,
            AuditAction::SignInFailed => AuditGroup::Access,
            AuditAction::SignOut => AuditGroup::Access,
            AuditAction::UserRegistered => AuditGroup::People,
            AuditAction::ProfileEdited => AuditGroup::People,
            AuditAction::AdminCreated => AuditGroup::Access,
            AuditAction::DictionaryEdited => AuditGroup::People,
            AuditAction::FileUploaded => AuditGroup::Certifications,
            AuditAction::QuestionCreated => AuditGroup::Certifications,
            AuditAction::QuestionEdited => AuditGroup::Certifications,
            AuditAction::QuestionArchived => AuditGroup::Certifications,
            AuditAction::QuestionDeleted => AuditGroup::Certifications,
            AuditAction::QuestionsImported => AuditGroup::Certifications,
            AuditAction::CertificationCreated => AuditGroup::Certifications,
            AuditAction::CertificationEdited => AuditGroup::Certifications,
            AuditAction::CertificationStatusChanged => AuditGroup::Certifications,
            AuditAction::TheoryEdited => AuditGroup::Certifications,
            AuditAction::CertificationQuestionsChanged => AuditGroup::Certifications,
            AuditAction::AssignmentChanged => AuditGroup::Certifications,
            AuditAction::AttemptStarted => AuditGroup::Attempts,
            AuditAction::AttemptFinished => AuditGroup::Attempts,
            AuditAction::ProgressReset | AuditAction::AttemptGranted => AuditGroup::Attempts,
            AuditAction::CertificationReopened | AuditAction::RemindersSent => {
                AuditGroup::Certifications
            }
            AuditAction::BadgeAwarded => AuditGroup::Rewards,
            AuditAction::BadgeRevoked => AuditGroup::Rewards,
            AuditAction::BadgeEdited => AuditGroup::Rewards,
            AuditAction::LevelsEdited => AuditGroup::Rewards,
            AuditAction::PointsChanged => AuditGroup::Rewards,
            AuditAction::UserEdited => AuditGroup::People,
            AuditAction::UserActivated => AuditGroup::People,
            AuditAction::UserPreregistered => AuditGroup::People,
            AuditAction::UsersImported => AuditGroup::People,
            AuditAction::PermissionsChanged => AuditGroup::Access,
            AuditAction::PasswordChanged => AuditGroup::Access,
            AuditAction::SettingsChanged => AuditGroup::Settings,
            AuditAction::NotificationResent => AuditGroup::Settings,
            AuditAction::NotificationsMuted => AuditGroup::People,
            AuditAction::ManagerBranchesChanged => AuditGroup::Access,
            AuditAction::AttemptTimedOut => AuditGroup::Attempts,
            AuditAction::SessionsRevoked => AuditGroup::Access,
            AuditAction::ApiKeyCreated
            | AuditAction::ApiKeyRevoked
            | AuditAction::ApiKeyUsed
            | AuditAction::WebhookChanged => AuditGroup::Access,
            AuditAction::TelegramLinked | AuditAction::TelegramInviteCreated => AuditGroup::People,
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            AuditAction::SignIn => "🔑",
            AuditAction::SignInFailed => "⛔",
            AuditAction::SignOut => "🚪",
            AuditAction::UserRegistered => "🆕",
            AuditAction::ProfileEdited => "✏️",
            AuditAction::AdminCreated => "🛡",
            AuditAction::DictionaryEdited => "📚",
            AuditAction::FileUploaded => "📎",
            AuditAction::QuestionCreated => "❓",
            AuditAction::QuestionEdited => "❓",
            AuditAction::QuestionArchived => "🗄",
            AuditAction::QuestionDeleted => "🗑",
            AuditAction::QuestionsImported => "📥",
            AuditAction::CertificationCreated => "📋",
            AuditAction::CertificationEdited => "📋",
            AuditAction::CertificationStatusChanged => "🚦",
            AuditAction::TheoryEdited => "📖",
            AuditAction::CertificationQuestionsChanged => "🧩",
            AuditAction::AssignmentChanged => "🎯",
            AuditAction::AttemptStarted => "▶️",
            AuditAction::AttemptFinished => "🏁",
            AuditAction::ProgressReset => "↩️",
            AuditAction::AttemptGranted => "➕",
            AuditAction::CertificationReopened => "🔓",
            AuditAction::RemindersSent => "📣",
            AuditAction::BadgeAwarded => "🏅",
            AuditAction::BadgeRevoked => "🚫",
            AuditAction::BadgeEdited => "🏷",
            AuditAction::LevelsEdited => "⭐",
            AuditAction::PointsChanged => "💰",
            AuditAction::UserEdited => "👤",
            AuditAction::UserActivated => "✅",
            AuditAction::UserPreregistered => "📝",
            AuditAction::UsersImported => "📥",
            AuditAction::PermissionsChanged => "🔐",
            AuditAction::PasswordChanged => "🔑",
            AuditAction::SettingsChanged => "⚙️",
            AuditAction::NotificationResent => "🔁",
            AuditAction::NotificationsMuted => "🔕",
            AuditAction::ManagerBranchesChanged => "🏢",
            AuditAction::AttemptTimedOut => "⏰",
            AuditAction::SessionsRevoked => "🔒",
            AuditAction::ApiKeyCreated => "🔑",
            AuditAction::ApiKeyRevoked => "🚫",
            AuditAction::ApiKeyUsed => "🔌",
            AuditAction::WebhookChanged => "🪝",
            AuditAction::TelegramLinked => "🔗",
            AuditAction::TelegramInviteCreated => "✉️",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            AuditAction::SignIn => Msg::AuditSignIn,
            AuditAction::SignInFailed => Msg::AuditSignInFailed,
            AuditAction::SignOut => Msg::AuditSignOut,
            AuditAction::UserRegistered => Msg::AuditUserRegistered,
            AuditAction::ProfileEdited => Msg::AuditProfileEdited,
            AuditAction::AdminCreated => Msg::AuditAdminCreated,
            AuditAction::DictionaryEdited => Msg::AuditDictionaryEdited,
            AuditAction::FileUploaded => Msg::AuditFileUploaded,
            AuditAction::QuestionCreated => Msg::AuditQuestionCreated,
            AuditAction::QuestionEdited => Msg::AuditQuestionEdited,
            AuditAction::QuestionArchived => Msg::AuditQuestionArchived,
            AuditAction::QuestionDeleted => Msg::AuditQuestionDeleted,
            AuditAction::QuestionsImported => Msg::AuditQuestionsImported,
            AuditAction::CertificationCreated => Msg::AuditCertificationCreated,
            AuditAction::CertificationEdited => Msg::AuditCertificationEdited,
            AuditAction::CertificationStatusChanged => Msg::AuditCertificationStatusChanged,
            AuditAction::TheoryEdited => Msg::AuditTheoryEdited,
            AuditAction::CertificationQuestionsChanged => Msg::AuditCertificationQuestionsChanged,
            AuditAction::AssignmentChanged => Msg::AuditAssignmentChanged,
            AuditAction::AttemptStarted => Msg::AuditAttemptStarted,
            AuditAction::AttemptFinished => Msg::AuditAttemptFinished,
            AuditAction::ProgressReset => Msg::AuditProgressReset,
            AuditAction::AttemptGranted => Msg::AuditAttemptGranted,
            AuditAction::CertificationReopened => Msg::AuditCertificationReopened,
            AuditAction::RemindersSent => Msg::AuditRemindersSent,
            AuditAction::BadgeAwarded => Msg::AuditBadgeAwarded,
            AuditAction::BadgeRevoked => Msg::AuditBadgeRevoked,
            AuditAction::BadgeEdited => Msg::AuditBadgeEdited,
            AuditAction::LevelsEdited => Msg::AuditLevelsEdited,
            AuditAction::PointsChanged => Msg::AuditPointsChanged,
            AuditAction::UserEdited => Msg::AuditUserEdited,
            AuditAction::UserActivated => Msg::AuditUserActivated,
            AuditAction::UserPreregistered => Msg::AuditUserPreregistered,
            AuditAction::UsersImported => Msg::AuditUsersImported,
            AuditAction::PermissionsChanged => Msg::AuditPermissionsChanged,
            AuditAction::PasswordChanged => Msg::AuditPasswordChanged,
            AuditAction::SettingsChanged => Msg::AuditSettingsChanged,
            AuditAction::NotificationResent => Msg::AuditNotificationResent,
            AuditAction::NotificationsMuted => Msg::AuditNotificationsMuted,
            AuditAction::ManagerBranchesChanged => Msg::AuditManagerBranchesChanged,
            AuditAction::AttemptTimedOut => Msg::AuditAttemptTimedOut,
            AuditAction::SessionsRevoked => Msg::AuditSessionsRevoked,
            AuditAction::ApiKeyCreated => Msg::AuditApiKeyCreated,
            AuditAction::ApiKeyRevoked => Msg::AuditApiKeyRevoked,
            AuditAction::ApiKeyUsed => Msg::AuditApiKeyUsed,
            AuditAction::WebhookChanged => Msg::AuditWebhookChanged,
            AuditAction::TelegramLinked => Msg::AuditTelegramLinked,
            AuditAction::TelegramInviteCreated => Msg::AuditTelegramInviteCreated,
        }
    }

    /// Posted to Telegram as counts per minute, not one by one (an exam start is thousands).
    pub fn posted_as_counts(self) -> bool {
        matches!(self, AuditAction::SignIn | AuditAction::AttemptStarted)
    }
}

/// A topic made again is made once more only this much later; meanwhile its posts go to the
/// group's main chat (a topic deleted again and again is not remade in a loop).
pub const REMAKE_TOPIC_AFTER_SECS: i64 = 3_600;

/// Where the Telegram feed posts a topic's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicRoute {
    Thread(i64),
    /// The topic has to be made first (new, or deleted).
    Make,
    MainChat,
}

/// The route of a topic from what is known of it (`thread` 0: deleted).
pub fn topic_route(
    thread: Option<i64>,
    main_until: Option<Timestamp>,
    now: Timestamp,
) -> TopicRoute {
    match thread {
        Some(t) if t > 0 => TopicRoute::Thread(t),
        _ if main_until.is_some_and(|u| now < u) => TopicRoute::MainChat,
        _ => TopicRoute::Make,
    }
}

/// A topic was deleted: until when its posts go to the main chat (none: it is made again now).
pub fn main_chat_after_deletion(
    recreated_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<Timestamp> {
    recreated_at
        .filter(|r| now.millis() - r.millis() < REMAKE_TOPIC_AFTER_SECS * 1_000)
        .map(|_| now.plus_secs(REMAKE_TOPIC_AFTER_SECS))
}

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Person,
    ApiKey,
    /// A background job of the server (scheduler, sweeper, badge rules).
    Job,
    Bot,
    /// Nobody known (a failed sign-in).
    Anonymous,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Person => "person",
            ActorKind::ApiKey => "api_key",
            ActorKind::Job => "job",
            ActorKind::Bot => "bot",
            ActorKind::Anonymous => "anonymous",
        }
    }

    /// The kind an entry's actor is, from what the entry says.
    pub fn of(entry: &AuditEntry) -> ActorKind {
        match (entry.actor_id, entry.origin.channel.as_str()) {
            (_, "api") => ActorKind::ApiKey,
            (Some(_), _) => ActorKind::Person,
            (None, "bot") => ActorKind::Bot,
            (None, "scheduler" | "server" | "rules" | "job") => ActorKind::Job,
            (None, _) => ActorKind::Anonymous,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_group_and_a_label() {
        for a in AuditAction::ALL {
            assert!(a.group().actions().contains(a));
            assert!(!a.label().text(crate::i18n::Lang::Ru).is_empty());
        }
        for g in AuditGroup::ALL {
            assert_eq!(g.as_str().parse::<AuditGroup>(), Ok(g));
        }
    }

    #[test]
    fn a_deleted_topic_is_made_again_once_then_the_main_chat_for_an_hour() {
        let now = Timestamp(10_000_000);
        assert_eq!(topic_route(Some(7), None, now), TopicRoute::Thread(7));
        assert_eq!(topic_route(None, None, now), TopicRoute::Make);
        // Deleted for the first time: made again.
        assert_eq!(main_chat_after_deletion(None, now), None);
        assert_eq!(topic_route(Some(0), None, now), TopicRoute::Make);
        // Deleted again right after being made again: the main chat for an hour, then made.
        let until = main_chat_after_deletion(Some(now.minus_secs(60)), now);
        assert_eq!(until, Some(now.plus_secs(REMAKE_TOPIC_AFTER_SECS)));
        assert_eq!(topic_route(Some(0), until, now), TopicRoute::MainChat);
        assert_eq!(
            topic_route(Some(0), until, now.plus_secs(3_601)),
            TopicRoute::Make
        );
        // Made again long ago: made again now.
        assert_eq!(
            main_chat_after_deletion(Some(now.minus_secs(7_200)), now),
            None
        );
    }
}
