//! The sender: on the leader, takes due messages from the outbox (the oldest of each chat),
//! asks the buckets whether each may go now, sends up to `concurrency` at once, and records
//! what Telegram answered. More than [`DIGEST_OVER`] results waiting for one recipient go out
//! as one digest.
//!
//! A message is marked `sending` before the request and `sent` after the answer; a crash in
//! between leaves it `sending`, and the next leader sends it again: the one duplicate window,
//! counted in the log (`recovered`).

use super::classify::outcome;
use super::{Hooks, Route};
use crate::leader::Leadership;
use app::domain::Timestamp;
use app::domain::delivery::{Buckets, MAX_ATTEMPTS, Rates, SendOutcome, backoff_ms};
use app::domain::notifications::{DIGEST_OVER, DigestCounts, NotificationSettings};
use app::i18n::Lang;
use app::notifications::{Button, OutboxMessage, OutboxStatus};
use app::settings::BotStatus;
use app::state::AppState;
use app::storage::{self, StorageError};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ThreadId, WebAppInfo,
};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How the sender runs (the rates can be forced, so tests run them scaled up).
#[derive(Debug, Clone)]
pub struct SenderConfig {
    /// Messages a second overall, instead of the settings page's value.
    pub global_rate: Option<u32>,
    pub chat_spacing_ms: u64,
    pub group_spacing_ms: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// How often the outbox is looked at when nothing is waiting.
    pub poll: Duration,
}

impl Default for SenderConfig {
    fn default() -> Self {
        let r = Rates::default();
        Self {
            global_rate: None,
            chat_spacing_ms: r.chat_spacing_ms,
            group_spacing_ms: r.group_spacing_ms,
            concurrency: 32,
            poll: Duration::from_millis(200),
        }
    }
}

/// One send in flight: the rows it carries and the chat it goes to.
struct Job {
    ids: Vec<i64>,
    chat: i64,
    thread: Option<i64>,
    result: Result<i64, teloxide::RequestError>,
}

pub struct Sender {
    state: AppState,
    bot: Bot,
    /// How the bot receives updates (for the settings page).
    mode: String,
    hooks: Arc<dyn Hooks>,
    config: SenderConfig,
    started: Instant,
}

impl Sender {
    pub fn new(
        state: AppState,
        bot: Bot,
        mode: &str,
        hooks: Arc<dyn Hooks>,
        config: SenderConfig,
    ) -> Self {
        Self {
            state,
            bot,
            mode: mode.to_owned(),
            hooks,
            config,
            started: Instant::now(),
        }
    }

    /// Sends while this instance leads, until `stop`.
    pub async fn run(self, mut leadership: Leadership, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = leadership.until_leader() => {}
                _ = stop.changed() => return,
            }
            if let Err(e) = self.take_over().await {
                tracing::error!(error = %e, "sender: cannot take over the outbox");
            }
            let mut lost = leadership.clone();
            tokio::select! {
                r = self.lead() => if let Err(e) = r {
                    tracing::error!(error = %e, "sender failed; restarting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                },
                _ = lost.lost() => tracing::info!("sender: no longer the leader"),
                _ = stop.changed() => return,
            }
        }
    }

    fn mono_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// A new leader resends what a crashed one left mid-send, and checks the bot.
    async fn take_over(&self) -> Result<(), StorageError> {
        let now = self.state.now();
        let mut tx = self.state.db.begin().await?;
        let recovered = storage::telegram::recover_sending(tx.conn(), now).await?;
        tx.commit().await?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "messages left mid-send by a previous sender go out again (possible duplicates)"
            );
        }
        let username = match self.bot.get_me().await {
            Ok(me) => me.username.clone(),
            Err(e) => {
                self.note_error(&format!("getMe: {e}")).await;
                None
            }
        };
        let mut tx = self.state.db.begin().await?;
        let mut status: BotStatus = app::settings::load(tx.conn()).await?;
        status.username = username.or(status.username);
        status.mode = self.mode.clone();
        status.checked_at = Some(now);
        app::settings::save(tx.conn(), &status, None, now).await?;
        tx.commit().await
    }

    /// Keeps the last Telegram error for the settings page.
    async fn note_error(&self, error: &str) {
        let now = self.state.now();
        let result = async {
            let mut tx = self.state.db.begin().await?;
            let mut status: BotStatus = app::settings::load(tx.conn()).await?;
            status.last_error = Some(error.chars().take(500).collect());
            status.last_error_at = Some(now);
            app::settings::save(tx.conn(), &status, None, now).await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record the bot's last error");
        }
    }

    async fn rates(&self) -> Rates {
        let configured = async {
            let mut c = self.state.db.read().await?;
            app::settings::load::<NotificationSettings>(c.conn()).await
        }
        .await
        .map(|s| s.rate_per_sec)
        .unwrap_or(25);
        Rates {
            global_per_sec: self.config.global_rate.unwrap_or(configured),
            chat_spacing_ms: self.config.chat_spacing_ms,
            group_spacing_ms: self.config.group_spacing_ms,
        }
    }

    async fn lead(&self) -> Result<(), StorageError> {
        let mut buckets = Buckets::new(self.rates().await);
        let mut rates_checked = Instant::now();
        let mut inflight: JoinSet<Job> = JoinSet::new();
        let mut busy: HashSet<i64> = HashSet::new();
        loop {
            if rates_checked.elapsed() > Duration::from_secs(5) {
                buckets.set_rates(self.rates().await);
                buckets.forget_idle(self.mono_ms());
                rates_checked = Instant::now();
            }
            let wait = self
                .dispatch(&mut buckets, &mut inflight, &mut busy)
                .await?;
            tokio::select! {
                Some(done) = inflight.join_next(), if !inflight.is_empty() => {
                    match done {
                        Ok(job) => {
                            busy.remove(&job.chat);
                            self.record(job, &mut buckets).await?;
                        }
                        Err(e) => tracing::error!(error = %e, "a send task failed"),
                    }
                }
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Starts every send that may go now; returns how long to wait before looking again.
    async fn dispatch(
        &self,
        buckets: &mut Buckets,
        inflight: &mut JoinSet<Job>,
        busy: &mut HashSet<i64>,
    ) -> Result<Duration, StorageError> {
        if inflight.len() >= self.config.concurrency {
            return Ok(self.config.poll);
        }
        let now = self.state.now();
        let heads = {
            let mut c = self.state.db.read().await?;
            storage::telegram::due_heads(c.conn(), now, 500).await?
        };
        let mut soonest: Option<u64> = None;
        for m in heads {
            if inflight.len() >= self.config.concurrency {
                break;
            }
            if busy.contains(&m.chat_id) {
                continue;
            }
            let mono = self.mono_ms();
            if !buckets.take(m.chat_id, mono) {
                let at = buckets.ready_at(m.chat_id);
                soonest = Some(soonest.map_or(at, |s| s.min(at)));
                continue;
            }
            let thread = match self.hooks.route(&self.state, &m).await {
                Route::Send(thread) => thread,
                Route::SlotUsed => continue,
                Route::Later(why) => {
                    let attempts = m.attempts + 1;
                    let at = Timestamp(now.millis() + backoff_ms(attempts));
                    let mut tx = self.state.db.begin().await?;
                    storage::telegram::requeue(tx.conn(), &[m.id], at, Some(&why), true, now)
                        .await?;
                    tx.commit().await?;
                    continue;
                }
            };
            let Some((ids, text, buttons)) = self.prepare(&m, now).await? else {
                continue;
            };
            busy.insert(m.chat_id);
            let bot = self.bot.clone();
            let chat = m.chat_id;
            inflight.spawn(async move {
                let result = send(&bot, chat, thread, &text, &buttons).await;
                Job {
                    ids,
                    chat,
                    thread,
                    result,
                }
            });
        }
        let wait = match soonest {
            Some(at) => Duration::from_millis(at.saturating_sub(self.mono_ms()).clamp(5, 1_000)),
            None => self.config.poll,
        };
        Ok(wait)
    }

    /// Claims what goes in this send: the message, or every waiting result of its chat as one
    /// digest. `None` if another sender took it meanwhile.
    #[allow(clippy::type_complexity)]
    async fn prepare(
        &self,
        m: &OutboxMessage,
        now: Timestamp,
    ) -> Result<Option<(Vec<i64>, String, Vec<Vec<Button>>)>, StorageError> {
        let mut tx = self.state.db.begin().await?;
        let mut rows = vec![m.clone()];
        if m.kind == "team_result" {
            let waiting =
                storage::telegram::due_of_chat(tx.conn(), m.chat_id, "team_result", now, 10_000)
                    .await?;
            if waiting.len() > DIGEST_OVER {
                rows = waiting;
            }
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let claimed = storage::telegram::claim(tx.conn(), &ids, now).await?;
        if claimed.is_empty() {
            tx.commit().await?;
            return Ok(None);
        }
        let rows: Vec<&OutboxMessage> = rows.iter().filter(|r| claimed.contains(&r.id)).collect();
        let prepared = if rows.len() > 1 {
            let mut counts = DigestCounts::default();
            for r in &rows {
                if r.payload()["passed"].as_bool() == Some(true) {
                    counts.passed += 1;
                } else {
                    counts.failed += 1;
                }
            }
            let lang = rows[0].payload()["lang"]
                .as_str()
                .and_then(Lang::from_code)
                .unwrap_or_default();
            let digest = app::notifications::texts::digest(lang, counts);
            let mut buttons = Vec::new();
            if let Some((label, target)) = digest.button
                && app::notifications::queue::buttons_allowed(&self.state)
            {
                let token = app::links::service::token(tx.conn(), target, now).await?;
                buttons.push(vec![Button {
                    text: label.text(lang).to_owned(),
                    web_app: Some(app::links::service::button_url(
                        &self.state.config.public_url,
                        &token,
                    )),
                    url: None,
                }]);
            }
            (claimed, digest.body, buttons)
        } else {
            (claimed, rows[0].text.clone(), rows[0].buttons())
        };
        tx.commit().await?;
        Ok(Some(prepared))
    }

    /// Records what Telegram answered.
    async fn record(&self, job: Job, buckets: &mut Buckets) -> Result<(), StorageError> {
        let now = self.state.now();
        let Job {
            ids,
            chat,
            thread,
            result,
        } = job;
        let outcome = match result {
            Ok(message_id) => SendOutcome::Sent { message_id },
            Err(e) => outcome(&e),
        };
        let mut tx = self.state.db.begin().await?;
        match &outcome {
            SendOutcome::Sent { message_id } => {
                let digest = (ids.len() > 1).then(|| ids[0]);
                storage::telegram::mark_sent(tx.conn(), &ids, Some(*message_id), digest, now)
                    .await?;
            }
            SendOutcome::RetryAfter(secs) => {
                tracing::warn!(
                    chat,
                    secs,
                    "Telegram rate limit (429): waiting before retrying"
                );
                buckets.retry_after(chat, *secs, self.mono_ms());
                storage::telegram::requeue(tx.conn(), &ids, now, Some("429"), false, now).await?;
            }
            SendOutcome::Unreachable(why) => {
                if app::domain::delivery::is_group(chat) {
                    storage::telegram::finish(tx.conn(), &ids, OutboxStatus::Dead, why, now)
                        .await?;
                } else {
                    storage::telegram::finish(tx.conn(), &ids, OutboxStatus::Unreachable, why, now)
                        .await?;
                    storage::telegram::drop_waiting_for_chat(tx.conn(), chat, why, now).await?;
                    storage::notifications::set_unreachable(tx.conn(), chat, Some(why), now)
                        .await?;
                }
            }
            SendOutcome::Migrated(to) => {
                storage::telegram::move_chat(tx.conn(), chat, *to, now).await?;
                storage::telegram::requeue(tx.conn(), &ids, now, Some("chat migrated"), false, now)
                    .await?;
            }
            SendOutcome::ThreadNotFound => {
                storage::telegram::requeue(
                    tx.conn(),
                    &ids,
                    now,
                    Some("message thread not found"),
                    true,
                    now,
                )
                .await?;
            }
            SendOutcome::NoRights(why) | SendOutcome::Refused(why) => {
                storage::telegram::finish(tx.conn(), &ids, OutboxStatus::Dead, why, now).await?;
            }
            SendOutcome::Transient(why) => {
                let attempts = storage::telegram::get(tx.conn(), ids[0])
                    .await?
                    .map_or(MAX_ATTEMPTS, |m| m.attempts);
                if attempts >= MAX_ATTEMPTS {
                    storage::telegram::finish(tx.conn(), &ids, OutboxStatus::Dead, why, now)
                        .await?;
                } else {
                    let at = Timestamp(now.millis() + backoff_ms(attempts));
                    storage::telegram::requeue(tx.conn(), &ids, at, Some(why), true, now).await?;
                }
            }
        }
        tx.commit().await?;
        // What the feature behind the message does about a moved or missing target.
        match outcome {
            SendOutcome::Migrated(to) => self.hooks.chat_migrated(&self.state, chat, to).await,
            SendOutcome::ThreadNotFound => {
                if let Some(t) = thread {
                    self.hooks.thread_missing(&self.state, chat, t).await;
                }
            }
            SendOutcome::NoRights(why) => self.hooks.no_rights(&self.state, chat, why).await,
            // A group that removed the bot: as good as no rights there.
            SendOutcome::Unreachable(why) if app::domain::delivery::is_group(chat) => {
                self.hooks.no_rights(&self.state, chat, why).await
            }
            SendOutcome::Refused(why) | SendOutcome::Transient(why) => self.note_error(&why).await,
            _ => {}
        }
        Ok(())
    }
}

fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .filter_map(|b| {
                    if let Some(url) = b.web_app.as_deref().and_then(|u| url::Url::parse(u).ok()) {
                        Some(InlineKeyboardButton::web_app(
                            b.text.clone(),
                            WebAppInfo { url },
                        ))
                    } else {
                        b.url
                            .as_deref()
                            .and_then(|u| url::Url::parse(u).ok())
                            .map(|url| InlineKeyboardButton::url(b.text.clone(), url))
                    }
                })
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

/// One `sendMessage`: plain text (names cannot break it), an optional topic and keyboard.
async fn send(
    bot: &Bot,
    chat: i64,
    thread: Option<i64>,
    text: &str,
    buttons: &[Vec<Button>],
) -> Result<i64, teloxide::RequestError> {
    let mut req = bot.send_message(ChatId(chat), text);
    if let Some(t) = thread {
        req = req.message_thread_id(ThreadId(MessageId(t as i32)));
    }
    if let Some(k) = keyboard(buttons) {
        req = req.reply_markup(k);
    }
    req.send().await.map(|m| i64::from(m.id.0))
}
