//! The types of `crate::notifications`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::notifications::{NotificationKind, NotificationSettings};
use crate::domain::{Timestamp, UserId};
use crate::settings::BotStatus;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Queued,
    /// Handed to Telegram; a row left here by a crash is sent again (the one duplicate window).
    Sending,
    Sent,
    /// Failed, waiting for its next try.
    Failed,
    /// Given up after the retries, or refused by Telegram; the error is kept.
    Dead,
    /// The recipient blocked the bot (or cannot be written to).
    Unreachable,
    /// Not sent on purpose (muted, kind off, no button target, quiet hours past the close).
    Skipped,
}

impl OutboxStatus {
    pub const ALL: [OutboxStatus; 7] = [
        OutboxStatus::Queued,
        OutboxStatus::Sending,
        OutboxStatus::Sent,
        OutboxStatus::Failed,
        OutboxStatus::Dead,
        OutboxStatus::Unreachable,
        OutboxStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Queued => "queued",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
            OutboxStatus::Dead => "dead",
            OutboxStatus::Unreachable => "unreachable",
            OutboxStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        OutboxStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// What the log calls it.
    pub fn label(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            OutboxStatus::Queued => Msg::OutboxQueued,
            OutboxStatus::Sending => Msg::OutboxSending,
            OutboxStatus::Sent => Msg::OutboxSent,
            OutboxStatus::Failed => Msg::OutboxFailed,
            OutboxStatus::Dead => Msg::OutboxDead,
            OutboxStatus::Unreachable => Msg::OutboxUnreachable,
            OutboxStatus::Skipped => Msg::OutboxSkipped,
        }
    }
}

/// One button of an inline keyboard: a Mini App button (private chats only) or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A message of the Telegram outbox (a notification or an audit-feed post), as the sender
/// and the notification log read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OutboxMessage {
    pub id: i64,
    pub dedupe_key: String,
    pub chat_id: i64,
    pub thread_id: Option<i64>,
    pub recipient_id: Option<UserId>,
    pub kind: String,
    pub text: String,
    pub buttons: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_error: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub message_id: Option<i64>,
    pub digest_id: Option<i64>,
    pub created_at: Timestamp,
}

impl OutboxMessage {
    pub fn buttons(&self) -> Vec<Vec<Button>> {
        serde_json::from_str(&self.buttons).unwrap_or_default()
    }

    pub fn payload(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or_default()
    }
}

/// The settings module's notification page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsPageData {
    pub settings: NotificationSettings,
    pub bot: BotStatus,
    pub bot_configured: bool,
    pub buttons_allowed: bool,
    /// Messages per status.
    pub counts: Vec<(String, i64)>,
    /// Each kind's text with sample values, in the admin's language.
    pub previews: Vec<(NotificationKind, String)>,
}

/// A row of the notification log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub message: OutboxMessage,
    pub recipient: Option<String>,
}

/// The kinds a person may mute, and those muted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyNotificationKinds {
    pub kinds: Vec<NotificationKind>,
    pub muted: Vec<NotificationKind>,
}
