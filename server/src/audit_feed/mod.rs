//! The audit log posted into a Telegram forum group, each group of kinds into its own topic.
//!
//! A cursor over the audit log (below the safe horizon, `storage::horizon`) moves new entries
//! into a queue per topic; sign-ins and attempt starts become counts per minute. The poster
//! keeps one message per group on its way through the Telegram outbox at a time, and each
//! message carries as many waiting entries of its topic as fit (4,096 characters): when quiet
//! an entry goes out within seconds, and a burst of thousands is posted completely within the
//! group's 20 messages a minute, in order per topic. A backlog that would take more than ten
//! minutes is folded, oldest first, into summary lines that point to the admin panel; nothing
//! is dropped silently. Topics are made by the bot when missing, made again once if deleted,
//! and follow a group that became a supergroup.

pub mod bind;

use crate::delivery::Route;
use app::audit::text::{count_line, post_line};
use app::audit::{AuditFeedStatus, AuditSettings, TopicMode};
use app::domain::Timestamp;
use app::domain::audit::{
    AuditAction, AuditGroup, TopicRoute, main_chat_after_deletion, topic_route,
};
use app::domain::delivery::SendOutcome;
use app::i18n::{Lang, Msg};
use app::notifications::{Button, OutboxMessage};
use app::state::AppState;
use app::storage::audit_feed::{self as feed, QueuedLine};
use app::storage::telegram::{NewMessage, OutboxStatus};
use app::storage::{self, StorageError};
use futures::future::BoxFuture;
use std::time::Duration;
use teloxide::prelude::*;

use app::storage::audit_feed::CURSOR;
/// Characters of entries in one message (Telegram allows 4,096; room for the separators).
const MESSAGE_CHARS: usize = 3_900;
/// A group gets about 20 messages a minute; more than ten minutes of them is a backlog.
const BACKLOG_MESSAGES: i64 = 200;
/// After Telegram refused the bot (no rights, removed), it tries again this much later.
const PAUSE_AFTER_REFUSAL: Duration = Duration::from_secs(600);

pub struct AuditFeed {
    bot: Bot,
}

fn topic_key(settings: &AuditSettings, group: AuditGroup) -> &'static str {
    match settings.topics {
        TopicMode::PerGroup => group.as_str(),
        _ => "all",
    }
}

fn topic_name(topic: &str) -> String {
    let label = topic
        .parse::<AuditGroup>()
        .map(|g| g.label().text(Lang::Ru).to_owned())
        .unwrap_or_else(|_| Msg::AuditFeedTitle.text(Lang::Ru).to_owned());
    format!("Аудит · {label}")
}

/// The start of the minute of `t`.
fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp(t.millis() - t.millis().rem_euclid(60_000))
}

impl AuditFeed {
    pub fn new(bot: Bot) -> Self {
        Self { bot }
    }

    /// One round: new entries into the queue, closed minutes into counts, a backlog folded,
    /// and the next message handed to the outbox.
    pub async fn tick(&self, state: &AppState) -> Result<(), StorageError> {
        let settings: AuditSettings = {
            let mut c = state.db.read().await?;
            app::settings::load(c.conn()).await?
        };
        // No group: nothing is collected (setting one starts the feed from then on).
        let Some(chat) = settings.chat_id else {
            return Ok(());
        };
        collect(state, &settings).await?;
        flush_counts(state, &settings).await?;
        fold_backlog(state).await?;
        self.post(state, chat, &settings).await
    }

    async fn post(
        &self,
        state: &AppState,
        chat: i64,
        settings: &AuditSettings,
    ) -> Result<(), StorageError> {
        let now = state.now();
        let lines = {
            let mut c = state.db.read().await?;
            let status: AuditFeedStatus = app::settings::load(c.conn()).await?;
            if status.paused_until.is_some_and(|t| now < t)
                || feed::in_flight(c.conn(), chat).await?
            {
                return Ok(());
            }
            feed::oldest_topic(c.conn(), 500).await?
        };
        let Some(first) = lines.first() else {
            return update_status(state, |s| s.waiting = 0).await;
        };
        let topic = first.topic.clone();
        let taken = fit(&lines);
        // Per-group topics are resolved when the message's slot comes (`FeedHooks::route`).
        let thread = match settings.topics {
            TopicMode::Single { thread_id } => Some(thread_id),
            TopicMode::General | TopicMode::PerGroup => None,
        };
        let text = taken
            .iter()
            .map(|l| l.line.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        let buttons = button(state, &taken);
        let mut tx = state.db.begin().await?;
        storage::telegram::enqueue(
            tx.conn(),
            &NewMessage {
                dedupe_key: &format!("audit_feed:{}", first.id),
                chat_id: chat,
                thread_id: thread,
                recipient: None,
                kind: "audit",
                text: &text,
                buttons: &buttons,
                payload: serde_json::json!({
                    "topic": topic,
                    "per_group": settings.topics == TopicMode::PerGroup,
                }),
                status: OutboxStatus::Queued,
                note: None,
                send_at: now,
            },
            now,
        )
        .await?;
        let ids: Vec<i64> = taken.iter().map(|l| l.id).collect();
        feed::remove(tx.conn(), &ids).await?;
        tx.commit().await?;
        let waiting = (lines.len() - taken.len()) as i64;
        update_status(state, |s| {
            s.last_posted_at = Some(now);
            s.waiting = waiting;
        })
        .await
    }

    /// Makes the forum topic of `topic` in `chat` and records its thread.
    async fn make_topic(
        &self,
        state: &AppState,
        chat: i64,
        topic: &str,
        again: bool,
    ) -> Result<i64, TopicError> {
        match self
            .bot
            .create_forum_topic(ChatId(chat), topic_name(topic))
            .await
        {
            Ok(t) => {
                let thread = i64::from(t.thread_id.0.0);
                let now = state.now();
                let saved = async {
                    let mut tx = state.db.begin().await?;
                    feed::set_topic(tx.conn(), chat, topic, thread, again.then_some(now), now)
                        .await?;
                    tx.commit().await
                }
                .await;
                saved.map_err(|e| TopicError::Failed(e.to_string()))?;
                tracing::info!(chat, topic, thread, again, "audit topic made");
                Ok(thread)
            }
            Err(e) => {
                let text = format!("createForumTopic: {e}");
                match crate::delivery::classify::outcome(&e) {
                    SendOutcome::NoRights(_) => Err(TopicError::Refused(
                        Msg::ErrAuditNoTopicRights.text(Lang::Ru).to_owned(),
                    )),
                    SendOutcome::Refused(_) | SendOutcome::Unreachable(_) => {
                        Err(TopicError::Refused(text))
                    }
                    _ => Err(TopicError::Failed(text)),
                }
            }
        }
    }
}

/// Why there is no topic to post into.
enum TopicError {
    /// Telegram refused the bot: posting pauses rather than asking again and again.
    Refused(String),
    /// Something that may pass (the network, a 429): tried again later.
    Failed(String),
}

/// Entries of one topic that fit in one message (at least one, cut if alone too long).
fn fit(lines: &[QueuedLine]) -> Vec<QueuedLine> {
    let topic = &lines[0].topic;
    let mut out: Vec<QueuedLine> = Vec::new();
    let mut chars = 0;
    for l in lines.iter().take_while(|l| &l.topic == topic) {
        let n = l.line.chars().count() + 2;
        if !out.is_empty() && chars + n > MESSAGE_CHARS {
            break;
        }
        chars += n;
        let mut l = l.clone();
        if n > MESSAGE_CHARS {
            l.line = format!(
                "{}…",
                l.line.chars().take(MESSAGE_CHARS - 1).collect::<String>()
            );
        }
        out.push(l);
    }
    out
}

/// A URL button to the entry in the admin panel, or for several to the page filtered to them.
fn button(state: &AppState, lines: &[QueuedLine]) -> Vec<Vec<Button>> {
    if !(state.config.public_url.starts_with("https://") || state.config.http_buttons) {
        return Vec::new();
    }
    let base = format!("{}/admin/audit", state.config.public_url);
    let url = match lines {
        [one] if one.audit_id.is_some() => {
            format!("{base}?entry={}", one.audit_id.map_or(0, |a| a.0))
        }
        _ => {
            let from = lines.iter().map(|l| l.at.millis()).min().unwrap_or(0);
            let to = lines.iter().map(|l| l.at.millis()).max().unwrap_or(0) + 1;
            let group = lines
                .first()
                .and_then(|l| l.topic.parse::<AuditGroup>().ok())
                .map(|g| format!("&group={}", g.as_str()))
                .unwrap_or_default();
            format!("{base}?from={from}&to={to}{group}")
        }
    };
    vec![vec![Button {
        text: Msg::AuditOpenInPanel.text(Lang::Ru).to_owned(),
        web_app: None,
        url: Some(url),
    }]]
}

/// New entries after the cursor into the queue (or the minute's counts).
async fn collect(state: &AppState, settings: &AuditSettings) -> Result<(), StorageError> {
    let now = state.now();
    let offset = state.config.display_utc_offset_minutes;
    let mut tx = state.db.begin().await?;
    let cursor = storage::events::cursor_for_update(tx.conn(), CURSOR, now).await?;
    let rows = storage::audit::after(tx.conn(), cursor, 1_000).await?;
    let Some((last, _)) = rows.last() else {
        return Ok(());
    };
    let last = *last;
    for (_, row) in &rows {
        let Ok(action) = AuditAction::try_from(row.action.clone()) else {
            continue;
        };
        if !settings.posted.contains(&action.group()) {
            continue;
        }
        if action.posted_as_counts() {
            feed::count(tx.conn(), minute_of(row.at), action.as_str(), now).await?;
        } else {
            let line = post_line(Lang::Ru, row, offset);
            let topic = topic_key(settings, action.group());
            feed::queue_line(tx.conn(), topic, Some(row.id), &line, row.at, now).await?;
        }
    }
    storage::events::set_cursor(tx.conn(), CURSOR, last, now).await?;
    tx.commit().await
}

/// Counts of minutes that are over become lines.
async fn flush_counts(state: &AppState, settings: &AuditSettings) -> Result<(), StorageError> {
    let now = state.now();
    let offset = state.config.display_utc_offset_minutes;
    let mut tx = state.db.begin().await?;
    for (minute, action, n) in feed::take_counts(tx.conn(), minute_of(now)).await? {
        let Ok(action) = AuditAction::try_from(action) else {
            continue;
        };
        let line = count_line(Lang::Ru, action, n, minute, offset);
        let topic = topic_key(settings, action.group());
        feed::queue_line(tx.conn(), topic, None, &line, minute, now).await?;
    }
    tx.commit().await
}

/// When what waits would take more than ten minutes of the group's budget, the oldest lines
/// of the longest topics are folded into one summary line each.
async fn fold_backlog(state: &AppState) -> Result<(), StorageError> {
    let waiting = {
        let mut c = state.db.read().await?;
        feed::waiting(c.conn()).await?
    };
    let messages = |chars: i64| (chars + MESSAGE_CHARS as i64 - 1) / MESSAGE_CHARS as i64;
    let total: i64 = waiting.iter().map(|(_, _, chars)| messages(*chars)).sum();
    if total <= BACKLOG_MESSAGES {
        return Ok(());
    }
    let share = (BACKLOG_MESSAGES / waiting.len().max(1) as i64).max(1);
    let offset = state.config.display_utc_offset_minutes;
    let now = state.now();
    let mut tx = state.db.begin().await?;
    for (topic, lines, chars) in waiting {
        let needed = messages(chars);
        if needed <= share {
            continue;
        }
        // Keep the newest lines that fit the topic's share; fold the rest.
        let keep = lines * share / needed;
        let folded = feed::oldest_of(tx.conn(), &topic, lines - keep).await?;
        let (Some(first), Some(last)) = (folded.first(), folded.last()) else {
            continue;
        };
        let summary = Msg::AuditFolded.with(
            Lang::Ru,
            &[
                ("n", &folded.len().to_string()),
                ("from", &first.at.format_datetime(offset)),
                ("to", &last.at.format_datetime(offset)),
            ],
        );
        let ids: Vec<i64> = folded.iter().map(|l| l.id).collect();
        feed::remove(tx.conn(), &ids).await?;
        feed::queue_line(tx.conn(), &topic, None, &summary, first.at, now).await?;
        tracing::warn!(
            topic,
            folded = folded.len(),
            "audit feed backlog folded into a summary"
        );
    }
    tx.commit().await
}

fn note(s: &mut AuditFeedStatus, error: &str, now: Timestamp) {
    s.last_error = Some(error.chars().take(500).collect());
    s.last_error_at = Some(now);
}

/// Telegram refused the bot: noted, and posting waits before it tries once more.
fn pause(s: &mut AuditFeedStatus, error: &str, now: Timestamp) {
    note(s, error, now);
    s.paused_until = Some(now.plus_secs(PAUSE_AFTER_REFUSAL.as_secs() as i64));
}

async fn update_status(
    state: &AppState,
    change: impl FnOnce(&mut AuditFeedStatus),
) -> Result<(), StorageError> {
    let now = state.now();
    let mut tx = state.db.begin().await?;
    let mut status: AuditFeedStatus = app::settings::load(tx.conn()).await?;
    let before = status.clone();
    change(&mut status);
    if status != before {
        app::settings::save(tx.conn(), &status, None, now).await?;
    }
    tx.commit().await
}

/// The audit feed's side of the Telegram sender: a group that moved, a deleted topic, a right
/// that is missing.
pub struct FeedHooks {
    feed: std::sync::Arc<AuditFeed>,
}

impl FeedHooks {
    pub fn new(feed: std::sync::Arc<AuditFeed>) -> Self {
        Self { feed }
    }
}

impl crate::delivery::Hooks for FeedHooks {
    fn chat_migrated(&self, state: &AppState, from: i64, to: i64) -> BoxFuture<'static, ()> {
        let state = state.clone();
        Box::pin(async move {
            let now = state.now();
            let result = async {
                let mut tx = state.db.begin().await?;
                let mut settings: AuditSettings = app::settings::load(tx.conn()).await?;
                if settings.chat_id == Some(from) {
                    settings.chat_id = Some(to);
                    app::settings::save(tx.conn(), &settings, None, now).await?;
                }
                feed::move_chat(tx.conn(), from, to, now).await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "could not follow the audit group's migration");
            }
        })
    }

    fn route(&self, state: &AppState, m: &OutboxMessage) -> BoxFuture<'static, Route> {
        let thread = m.thread_id;
        let payload = m.payload();
        let topic = payload["topic"].as_str().map(str::to_owned);
        let per_group = m.kind == "audit" && payload["per_group"].as_bool() == Some(true);
        let (state, feed, chat) = (state.clone(), self.feed.clone(), m.chat_id);
        Box::pin(async move {
            let Some(topic) = topic.filter(|_| per_group) else {
                return Route::Send(thread);
            };
            let now = state.now();
            let known = async {
                let mut c = state.db.read().await?;
                feed::topic(c.conn(), chat, &topic).await
            }
            .await;
            let known = match known {
                Ok(k) => k,
                Err(e) => return Route::Later(e.to_string()),
            };
            let again = known.is_some();
            let route = topic_route(
                known.as_ref().map(|k| k.thread_id),
                known.as_ref().and_then(|k| k.main_until),
                now,
            );
            match route {
                TopicRoute::Thread(t) => Route::Send(Some(t)),
                TopicRoute::MainChat => Route::Send(None),
                TopicRoute::Make => match feed.make_topic(&state, chat, &topic, again).await {
                    Ok(_) => Route::SlotUsed,
                    // Refused: this message goes to the main chat (nothing is lost) and the
                    // feed pauses; the settings page says why.
                    Err(TopicError::Refused(e)) => {
                        let _ = update_status(&state, |s| pause(s, &e, now)).await;
                        Route::Send(None)
                    }
                    Err(TopicError::Failed(e)) => {
                        let _ = update_status(&state, |s| note(s, &e, now)).await;
                        Route::Later(e)
                    }
                },
            }
        })
    }

    fn thread_missing(&self, state: &AppState, chat: i64, thread: i64) -> BoxFuture<'static, ()> {
        let state = state.clone();
        Box::pin(async move {
            let now = state.now();
            let result = async {
                let mut tx = state.db.begin().await?;
                let Some(t) = feed::topic_of_thread(tx.conn(), chat, thread).await? else {
                    return tx.commit().await.map(|_| None);
                };
                let main_until = main_chat_after_deletion(t.recreated_at, now);
                feed::topic_deleted(tx.conn(), chat, &t.topic, main_until, now).await?;
                tx.commit().await?;
                Ok::<_, StorageError>(Some((t.topic, main_until)))
            }
            .await;
            match result {
                Ok(Some((topic, Some(_)))) => {
                    tracing::warn!(
                        chat,
                        topic,
                        "audit topic deleted again: posting to the main chat"
                    );
                    let msg = Msg::AuditTopicDeletedTwice.text(Lang::Ru).to_owned();
                    let _ = update_status(&state, |s| note(s, &msg, now)).await;
                }
                Ok(Some((topic, None))) => {
                    tracing::info!(chat, topic, "audit topic deleted: it is made again");
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "could not note a deleted audit topic"),
            }
        })
    }

    fn no_rights(&self, state: &AppState, _chat: i64, error: String) -> BoxFuture<'static, ()> {
        let state = state.clone();
        Box::pin(async move {
            let now = state.now();
            if let Err(e) = update_status(&state, |s| pause(s, &error, now)).await {
                tracing::warn!(error = %e, "could not record the audit feed's status");
            }
        })
    }
}

/// Purges entries older than the retention setting (daily, on the leader).
pub async fn purge_expired(state: &AppState) -> Result<u64, StorageError> {
    let settings: AuditSettings = {
        let mut c = state.db.read().await?;
        app::settings::load(c.conn()).await?
    };
    let Some(days) = settings.retention_days else {
        return Ok(0);
    };
    let before = state.now().minus_secs(i64::from(days) * 86_400);
    let mut tx = state.db.begin().await?;
    let n = storage::audit::purge_older_than(tx.conn(), before).await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(
            entries = n,
            days,
            "audit entries past the retention period purged"
        );
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::AuditId;

    fn line(id: i64, topic: &str, chars: usize) -> QueuedLine {
        QueuedLine {
            id,
            topic: topic.into(),
            audit_id: Some(AuditId(id)),
            line: "x".repeat(chars),
            at: Timestamp(id),
        }
    }

    #[test]
    fn a_message_carries_what_fits_of_one_topic() {
        let lines: Vec<QueuedLine> = (1..=30).map(|i| line(i, "people", 300)).collect();
        let taken = fit(&lines);
        assert_eq!(taken.len(), 12, "302 characters each, 3,900 at most");
        let mixed = vec![line(1, "people", 10), line(2, "access", 10)];
        assert_eq!(fit(&mixed).len(), 1, "one topic per message");
        let long = vec![line(1, "people", 10_000)];
        assert_eq!(fit(&long)[0].line.chars().count(), MESSAGE_CHARS);
        assert_eq!(minute_of(Timestamp(125_000)), Timestamp(120_000));
    }
}
