//! Notifications in the bot: what employees, managers and admins are told, the settings and
//! the log in the admin panel, and each person's muted kinds. The consumer of domain events
//! and the clock-driven reminders queue messages in the Telegram outbox; the Telegram delivery
//! module (`server/src/telegram`) sends them within Telegram's limits.

pub mod pages;
pub mod texts;

#[cfg(feature = "ssr")]
pub mod consumer;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod service;

use crate::auth::Surface;
use crate::domain::notifications::{NotificationKind, NotificationSettings};
use crate::domain::{Timestamp, UserId};
use crate::error::AppError;
use crate::paging::Page;
use crate::settings::BotStatus;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
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

#[server(prefix = "/api", endpoint = "notifications/settings")]
pub async fn notifications_admin() -> Result<NotificationsPageData, AppError> {
    crate::auth::guard::respond(service::admin_page().await)
}

#[server(prefix = "/api", endpoint = "notifications/settings/save", input = Json)]
pub async fn save_notification_settings(settings: NotificationSettings) -> Result<(), AppError> {
    crate::auth::guard::respond(service::save_settings(settings).await)
}

#[server(prefix = "/api", endpoint = "notifications/log")]
pub async fn notification_log(
    status: Option<String>,
    kind: Option<String>,
    page: i64,
) -> Result<Page<LogEntry>, AppError> {
    crate::auth::guard::respond(service::log(status, kind, page).await)
}

/// Queues a failed, dead or unreachable message again.
#[server(prefix = "/api", endpoint = "notifications/resend")]
pub async fn resend_notification(id: i64) -> Result<(), AppError> {
    crate::auth::guard::respond(service::resend(id).await)
}

/// The signed-in person's notification kinds (from the Mini App or the admin panel).
#[server(prefix = "/api", endpoint = "notifications/mine")]
pub async fn my_notifications(surface: Surface) -> Result<MyNotificationKinds, AppError> {
    crate::auth::guard::respond(service::mine(surface).await)
}

#[server(prefix = "/api", endpoint = "notifications/mine/save", input = Json)]
pub async fn save_my_notifications(
    surface: Surface,
    muted: Vec<NotificationKind>,
) -> Result<(), AppError> {
    crate::auth::guard::respond(service::save_mine(surface, muted).await)
}
