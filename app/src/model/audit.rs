//! The types of `crate::audit`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::audit::AuditGroup;
use crate::domain::{AuditId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AuditRow {
    pub id: AuditId,
    pub at: Timestamp,
    pub actor_id: Option<UserId>,
    pub actor_kind: String,
    pub actor_label: String,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub details: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub channel: String,
}

/// What the list shows: every field is optional; all given ones must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Case-insensitive part of the actor's name.
    pub actor: Option<String>,
    pub actor_id: Option<UserId>,
    pub group: Option<AuditGroup>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Case-insensitive part of the actor's or the target's label.
    pub search: Option<String>,
}

impl AuditFilter {
    /// Empty strings mean "not filtered".
    pub fn normalized(self) -> AuditFilter {
        let clean = |s: Option<String>| {
            s.map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(200).collect())
        };
        AuditFilter {
            actor: clean(self.actor),
            action: clean(self.action),
            target_type: clean(self.target_type),
            target_id: clean(self.target_id),
            search: clean(self.search),
            ..self
        }
    }
}

/// A page of the list, newest first; `older` continues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub older: Option<AuditId>,
}

/// One entry with its changes, as the detail view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDetail {
    pub row: AuditRow,
    pub changes: Vec<Change>,
    /// The details as stored (secrets already redacted), pretty-printed.
    pub details: String,
}

/// How the feed is split into forum topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum TopicMode {
    /// One topic per group of kinds, made by the bot (needs `can_manage_topics`).
    #[default]
    PerGroup,
    /// Everything into one chosen topic.
    Single { thread_id: i64 },
    /// The group's main chat (a group without topics).
    General,
}

/// The settings of the audit log (module "settings").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditSettings {
    /// The forum supergroup the feed posts into.
    pub chat_id: Option<i64>,
    pub topics: TopicMode,
    /// The groups of kinds that are posted.
    pub posted: Vec<AuditGroup>,
    /// Entries older than this many days are purged (none: kept for ever).
    pub retention_days: Option<u32>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            chat_id: None,
            topics: TopicMode::default(),
            posted: AuditGroup::ALL.to_vec(),
            retention_days: None,
        }
    }
}

impl crate::settings::Section for AuditSettings {
    const KEY: &'static str = "audit";
}

/// What the feed last saw of the group (written by the posting instance).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFeedStatus {
    pub chat_title: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    pub last_posted_at: Option<Timestamp>,
    /// Entries waiting to be posted.
    pub waiting: i64,
    /// After Telegram refused the bot (removed, demoted), posting waits until then and tries
    /// once more, instead of retrying for ever; saving the settings ends the wait.
    pub paused_until: Option<Timestamp>,
}

impl crate::settings::Section for AuditFeedStatus {
    const KEY: &'static str = "audit_feed_status";
}

/// What the audit group looks like to the bot, asked when the settings page opens (a bot
/// removed or demoted since shows there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub title: String,
    pub is_forum: bool,
    /// The bot is an administrator there.
    pub bot_is_admin: bool,
    /// The bot may create forum topics there.
    pub can_manage_topics: bool,
}

/// The settings page's audit section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSettingsView {
    pub settings: AuditSettings,
    pub status: AuditFeedStatus,
    /// The group as the bot sees it now, or why it cannot see it (none: no group or no bot).
    pub group: Option<Result<GroupInfo, String>>,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}
