//! How a notification becomes a row of the Telegram outbox: the kind switched on, the person
//! not muting it and reachable, a Mini App button when Telegram will take one. Rows that are
//! not to be sent are still written, as skipped with the reason, so the log tells why.

use super::texts::Text;
use crate::domain::Timestamp;
use crate::domain::notifications::{NotificationKind, NotificationSettings};
use crate::state::AppState;
use crate::storage::notifications::Recipient;
use crate::storage::telegram::{Button, NewMessage, OutboxStatus};
use crate::storage::{self, Conn, StorageError};
use std::sync::atomic::{AtomicBool, Ordering};

/// Telegram refuses `web_app` buttons to http addresses: said once in the log.
static HTTP_BUTTONS_LOGGED: AtomicBool = AtomicBool::new(false);

/// Whether messages may carry Mini App buttons (an https `PUBLIC_URL`, or a test setting for a
/// local fake Bot API).
pub fn buttons_allowed(state: &AppState) -> bool {
    if state.config.public_url.starts_with("https://") || state.config.http_buttons {
        return true;
    }
    if !HTTP_BUTTONS_LOGGED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            public_url = %state.config.public_url,
            "PUBLIC_URL is not https: notifications are sent without their Mini App button"
        );
    }
    false
}

/// Everything a notification is decided with, read once per event.
pub struct Context<'a> {
    pub state: &'a AppState,
    pub settings: &'a NotificationSettings,
    pub now: Timestamp,
}

/// A notification to queue.
pub struct Note<'a> {
    pub kind: NotificationKind,
    /// Unique per cause, recipient and kind.
    pub key: &'a str,
    pub text: Text,
    pub send_at: Timestamp,
    /// What a digest counts (results: whether the person passed).
    pub payload: serde_json::Value,
}

/// Why a notification of `kind` to `to` would not be sent, if it would not.
pub fn skip_reason(
    settings: &NotificationSettings,
    kind: NotificationKind,
    mutes: &[String],
    to: &Recipient,
) -> Option<&'static str> {
    if !settings.is_enabled(kind) {
        Some("kind switched off")
    } else if mutes.iter().any(|m| m == kind.as_str()) {
        Some("muted by the person")
    } else if to.telegram_id.is_none() {
        Some("no Telegram account")
    } else if to.tg_unreachable_at.is_some() {
        Some("unreachable: blocked the bot")
    } else if to.status != crate::domain::user::UserStatus::Active {
        Some("not an active member")
    } else {
        None
    }
}

/// Queues a notification for `to`; false if its key was queued already.
pub async fn queue(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    to: &Recipient,
    note: Note<'_>,
) -> Result<bool, StorageError> {
    let mutes = storage::notifications::mutes(c.re(), to.id).await?;
    queue_muted(c, cx, to, &mutes, note).await
}

/// [`queue`] with the kinds `to` muted already read (a consumer's batch reads each person's
/// once).
pub async fn queue_muted(
    mut c: Conn<'_>,
    cx: &Context<'_>,
    to: &Recipient,
    mutes: &[String],
    note: Note<'_>,
) -> Result<bool, StorageError> {
    let Note {
        kind,
        key,
        text,
        send_at,
        payload,
    } = note;
    let skipped = skip_reason(cx.settings, kind, mutes, to);
    let mut buttons: Vec<Vec<Button>> = Vec::new();
    if skipped.is_none()
        && let Some((label, target)) = text.button
        && buttons_allowed(cx.state)
    {
        let token = crate::links::service::token(c.re(), target, cx.now).await?;
        buttons.push(vec![Button {
            text: label.text(to.lang()).to_owned(),
            web_app: Some(crate::links::service::button_url(
                &cx.state.config.public_url,
                &token,
            )),
            url: None,
        }]);
    }
    storage::telegram::enqueue(
        c,
        &NewMessage {
            dedupe_key: key,
            chat_id: to.telegram_id.map_or(0, |t| t.0),
            thread_id: None,
            recipient: Some(to.id),
            kind: kind.as_str(),
            text: &text.body,
            buttons: &buttons,
            payload,
            status: if skipped.is_some() {
                OutboxStatus::Skipped
            } else {
                OutboxStatus::Queued
            },
            note: skipped,
            send_at,
        },
        cx.now,
    )
    .await
}
