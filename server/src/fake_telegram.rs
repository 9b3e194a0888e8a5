//! A fake Telegram Bot API on loopback, for the tests, the browser tests and the benchmark
//! (Telegram cannot be reached from here). It records every call, hands out queued updates
//! through `getUpdates`, keeps forum topics, answers scripted errors, and enforces Telegram's
//! limits — one message a second per chat, about 30 a second overall, 20 a minute per group —
//! with `429 retry_after`. The limits are configurable so tests run them scaled down.
//!
//! Besides the Bot API (`/bot<token>/<method>`) it serves a control API for processes that
//! drive it from outside: `GET /_calls`, `POST /_fail`, `POST /_update`, `POST /_forget`.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Telegram's limits as the fake enforces them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Least time between two messages to one private chat.
    pub per_chat: Duration,
    /// Messages a second across all chats.
    pub global_per_sec: u32,
    /// Messages a minute to one group (topics, topic creation and edits included).
    pub group_per_min: u32,
    /// Group limits count over this window (a minute, scaled down in tests).
    pub group_window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_chat: Duration::from_secs(1),
            global_per_sec: 30,
            group_per_min: 20,
            group_window: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// No limits at all (tests that are not about them).
    pub fn none() -> Self {
        Self {
            per_chat: Duration::ZERO,
            global_per_sec: u32::MAX,
            group_per_min: u32::MAX,
            group_window: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    /// Time since the fake started.
    pub at: Duration,
    /// Whether the call was refused (a limit or a scripted failure).
    pub refused: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scripted {
    RetryAfter { secs: u64 },
    Blocked,
    BadRequest { description: String },
    Migrated { to: i64 },
    ServerError,
}

impl Scripted {
    #[allow(non_snake_case)]
    pub fn RetryAfter(secs: u64) -> Self {
        Scripted::RetryAfter { secs }
    }
    #[allow(non_snake_case)]
    pub fn BadRequest(description: &str) -> Self {
        Scripted::BadRequest {
            description: description.to_owned(),
        }
    }
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    updates: VecDeque<Value>,
    failures: HashMap<String, VecDeque<Scripted>>,
    /// Failures for every call to one chat, until cleared (a blocked user).
    blocked_chats: HashSet<i64>,
    next_update_id: i64,
    next_message_id: i64,
    next_thread_id: i64,
    /// Forum topics per chat; deleted ones answer "message thread not found".
    topics: HashMap<i64, HashSet<i64>>,
    /// Members' status per (chat, user) other than the default (an administrator who may
    /// manage topics): `(status, can_manage_topics)`.
    members: HashMap<(i64, i64), (String, bool)>,
    /// Groups the bot was removed from: every call about them answers 403.
    kicked_from: HashSet<i64>,
    /// Sent message times per chat and overall.
    chat_last: HashMap<i64, Instant>,
    group_sent: HashMap<i64, VecDeque<Instant>>,
    global_sent: VecDeque<Instant>,
    limited: u64,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    limits: Limits,
    started: Instant,
    inner: Arc<Mutex<Inner>>,
    notify: Arc<Notify>,
}

impl FakeTelegram {
    pub async fn start(limits: Limits) -> FakeTelegram {
        Self::start_on("127.0.0.1:0", limits).await
    }

    pub async fn start_on(addr: &str, limits: Limits) -> FakeTelegram {
        let inner = Arc::new(Mutex::new(Inner {
            next_update_id: 1,
            next_message_id: 1,
            next_thread_id: 100,
            ..Inner::default()
        }));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("fake Telegram binds");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let fake = FakeTelegram {
            url,
            limits,
            started: Instant::now(),
            inner,
            notify: Arc::new(Notify::new()),
        };
        let router = Router::new()
            .route("/_calls", get(control_calls))
            .route("/_fail", post(control_fail))
            .route("/_update", post(control_update))
            .route("/_forget", post(control_forget))
            .route("/{token}/{method}", post(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "fake Telegram stopped");
            }
        });
        fake
    }

    /// Queues a private-chat text message from a user, as Telegram would deliver it.
    pub fn send_text(&self, from_id: i64, first_name: &str, text: &str) {
        self.push_message(json!({
            "chat": { "id": from_id, "type": "private", "first_name": first_name },
            "from": {
                "id": from_id, "is_bot": false, "first_name": first_name,
                "last_name": "Тестов", "username": format!("u{from_id}"), "language_code": "ru"
            },
            "text": text,
        }));
    }

    /// Queues a contact shared in a private chat; `owner` is the contact's `user_id` (Telegram
    /// sets it to the sender's id when they share their own number with a contact button).
    pub fn send_contact(&self, from_id: i64, phone: &str, owner: Option<i64>) {
        let mut contact = json!({ "phone_number": phone, "first_name": "Контакт" });
        if let Some(o) = owner {
            contact["user_id"] = json!(o);
        }
        self.push_message(json!({
            "chat": { "id": from_id, "type": "private", "first_name": "Контакт" },
            "from": { "id": from_id, "is_bot": false, "first_name": "Контакт", "language_code": "ru" },
            "contact": contact,
        }));
    }

    /// Queues a message in a group from a user (e.g. `/audit_here`).
    pub fn send_group_text(&self, chat_id: i64, from_id: i64, text: &str) {
        self.push_message(json!({
            "chat": { "id": chat_id, "type": "supergroup", "title": "Audit", "is_forum": true },
            "from": { "id": from_id, "is_bot": false, "first_name": "Admin", "language_code": "ru" },
            "text": text,
        }));
    }

    fn push_message(&self, mut message: Value) {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        let text = message["text"].as_str().unwrap_or_default().to_owned();
        let entities = if text.starts_with('/') {
            let len = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .encode_utf16()
                .count();
            json!([{ "type": "bot_command", "offset": 0, "length": len }])
        } else {
            json!([])
        };
        message["message_id"] = json!(id);
        message["date"] = json!(1_700_000_000);
        if message.get("text").is_some() {
            message["entities"] = entities;
        }
        inner
            .updates
            .push_back(json!({ "update_id": id, "message": message }));
        drop(inner);
        self.notify.notify_waiters();
    }

    /// The next call of `method` fails as scripted.
    pub fn fail_next(&self, method: &str, how: Scripted) {
        self.inner
            .lock()
            .unwrap()
            .failures
            .entry(normalize(method))
            .or_default()
            .push_back(how);
    }

    /// Every message to `chat` answers 403 until [`FakeTelegram::unblock`].
    pub fn block(&self, chat: i64) {
        self.inner.lock().unwrap().blocked_chats.insert(chat);
    }

    pub fn unblock(&self, chat: i64) {
        self.inner.lock().unwrap().blocked_chats.remove(&chat);
    }

    /// Sets a member's status in a group (`administrator`, `member`, `left`, …) and whether an
    /// administrator may manage topics. Everyone not set is an administrator who may.
    pub fn set_member(&self, chat: i64, user: i64, status: &str, can_manage_topics: bool) {
        self.inner
            .lock()
            .unwrap()
            .members
            .insert((chat, user), (status.to_owned(), can_manage_topics));
    }

    /// The bot is removed from a group: every call about it answers 403.
    pub fn kick_bot(&self, chat: i64) {
        self.inner.lock().unwrap().kicked_from.insert(chat);
    }

    /// Queues a message an anonymous group administrator sends (it comes as the group).
    pub fn send_group_text_anonymous(&self, chat_id: i64, text: &str) {
        self.push_message(json!({
            "chat": { "id": chat_id, "type": "supergroup", "title": "Audit", "is_forum": true },
            "from": { "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" },
            "sender_chat": { "id": chat_id, "type": "supergroup", "title": "Audit", "is_forum": true },
            "text": text,
        }));
    }

    /// Deletes a forum topic: messages to it answer "message thread not found".
    pub fn delete_topic(&self, chat: i64, thread: i64) {
        if let Some(t) = self.inner.lock().unwrap().topics.get_mut(&chat) {
            t.remove(&thread);
        }
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Messages accepted (not refused) by `sendMessage`.
    pub fn delivered(&self) -> Vec<Call> {
        self.calls("sendMessage")
            .into_iter()
            .filter(|c| !c.refused)
            .collect()
    }

    /// How many calls went over a limit (answered 429).
    pub fn limited(&self) -> u64 {
        self.inner.lock().unwrap().limited
    }

    /// Checks the limits for a message to `chat` now; the seconds to wait when over one.
    fn over_limit(&self, inner: &mut Inner, chat: i64, now: Instant) -> Option<u64> {
        let secs = |d: Duration| d.as_secs_f64().ceil().max(1.0) as u64;
        if chat > 0
            && let Some(last) = inner.chat_last.get(&chat)
            && now.duration_since(*last) < self.limits.per_chat
        {
            return Some(secs(self.limits.per_chat - now.duration_since(*last)));
        }
        let second = Duration::from_secs(1);
        while inner
            .global_sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= second)
        {
            inner.global_sent.pop_front();
        }
        if inner.global_sent.len() as u64 >= u64::from(self.limits.global_per_sec) {
            return Some(1);
        }
        if chat < 0 {
            let window = self.limits.group_window;
            let sent = inner.group_sent.entry(chat).or_default();
            while sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                sent.pop_front();
            }
            if sent.len() as u64 >= u64::from(self.limits.group_per_min) {
                let oldest = *sent.front().expect("non-empty");
                return Some(secs(window - now.duration_since(oldest)));
            }
        }
        None
    }

    fn count_sent(inner: &mut Inner, chat: i64, now: Instant) {
        inner.chat_last.insert(chat, now);
        inner.global_sent.push_back(now);
        if chat < 0 {
            inner.group_sent.entry(chat).or_default().push_back(now);
        }
    }
}

/// Canonical camelCase spelling of a Bot API method name.
fn normalize(method: &str) -> String {
    const KNOWN: &[&str] = &[
        "getMe",
        "getUpdates",
        "getWebhookInfo",
        "deleteWebhook",
        "setWebhook",
        "sendMessage",
        "setMyCommands",
        "setChatMenuButton",
        "createForumTopic",
        "getChat",
        "getChatMember",
        "getChatAdministrators",
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(method))
        .map(|k| (*k).to_owned())
        .unwrap_or_else(|| method.to_owned())
}

fn error(code: u16, description: &str) -> Value {
    json!({ "ok": false, "error_code": code, "description": description })
}

fn scripted_answer(f: Scripted) -> Value {
    match f {
        Scripted::RetryAfter { secs } => json!({
            "ok": false, "error_code": 429,
            "description": format!("Too Many Requests: retry after {secs}"),
            "parameters": { "retry_after": secs }
        }),
        Scripted::Blocked => error(403, "Forbidden: bot was blocked by the user"),
        Scripted::BadRequest { description } => error(400, &description),
        Scripted::Migrated { to } => json!({
            "ok": false, "error_code": 400,
            "description": "Bad Request: group chat was upgraded to a supergroup chat",
            "parameters": { "migrate_to_chat_id": to }
        }),
        Scripted::ServerError => error(500, "Internal Server Error"),
    }
}

fn chat_of(body: &Value) -> i64 {
    match &body["chat_id"] {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// Whether a call counts against the sending limits (messages, topic creation, edits).
fn is_send(method: &str) -> bool {
    matches!(
        method,
        "sendMessage" | "createForumTopic" | "editMessageText" | "editForumTopic"
    )
}

async fn handle(
    State(fake): State<FakeTelegram>,
    Path((token, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    if !token.starts_with("bot") {
        return Json(error(404, "Not Found"));
    }
    // Bot API method names are case-insensitive; teloxide sends e.g. `SendMessage`.
    let method = normalize(&method);
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    if method == "getUpdates" {
        return Json(get_updates(&fake, &body).await);
    }
    let now = Instant::now();
    let chat = chat_of(&body);
    let mut inner = fake.inner.lock().unwrap();
    let scripted = inner.failures.get_mut(&method).and_then(|q| q.pop_front());
    let answer = if let Some(f) = scripted {
        Err(scripted_answer(f))
    } else if chat < 0 && inner.kicked_from.contains(&chat) {
        Err(error(
            403,
            "Forbidden: bot was kicked from the supergroup chat",
        ))
    } else if is_send(&method) && inner.blocked_chats.contains(&chat) {
        Err(error(403, "Forbidden: bot was blocked by the user"))
    } else if is_send(&method)
        && let Some(retry) = fake.over_limit(&mut inner, chat, now)
    {
        inner.limited += 1;
        Err(json!({
            "ok": false, "error_code": 429,
            "description": format!("Too Many Requests: retry after {retry}"),
            "parameters": { "retry_after": retry }
        }))
    } else {
        answer_ok(&mut inner, &method, &body, chat, now)
    };
    let refused = answer.is_err();
    inner.calls.push(Call {
        method,
        body,
        at: now.duration_since(fake.started),
        refused,
    });
    Json(answer.unwrap_or_else(|e| e))
}

fn answer_ok(
    inner: &mut Inner,
    method: &str,
    body: &Value,
    chat: i64,
    now: Instant,
) -> Result<Value, Value> {
    Ok(match method {
        "getMe" => json!({ "ok": true, "result": {
            "id": 4242, "is_bot": true, "first_name": "Attest", "username": "attest_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false
        }}),
        "getWebhookInfo" => json!({ "ok": true, "result": {
            "url": "", "has_custom_certificate": false, "pending_update_count": 0
        }}),
        "sendMessage" => {
            if let Some(thread) = body["message_thread_id"].as_i64()
                && !inner.topics.get(&chat).is_some_and(|t| t.contains(&thread))
            {
                return Err(error(400, "Bad Request: message thread not found"));
            }
            FakeTelegram::count_sent(inner, chat, now);
            let id = inner.next_message_id;
            inner.next_message_id += 1;
            let kind = if chat < 0 { "supergroup" } else { "private" };
            json!({ "ok": true, "result": {
                "message_id": id, "date": 1_700_000_000,
                "chat": { "id": chat, "type": kind, "first_name": "x", "title": "x" },
                "text": body["text"].clone()
            }})
        }
        "createForumTopic" => {
            if inner
                .members
                .get(&(chat, 4242))
                .is_some_and(|(status, topics)| status != "administrator" || !topics)
            {
                return Err(error(
                    400,
                    "Bad Request: not enough rights to create a topic",
                ));
            }
            FakeTelegram::count_sent(inner, chat, now);
            let thread = inner.next_thread_id;
            inner.next_thread_id += 1;
            inner.topics.entry(chat).or_default().insert(thread);
            json!({ "ok": true, "result": {
                "message_thread_id": thread, "name": body["name"].clone(), "icon_color": 7322096
            }})
        }
        "getChat" => json!({ "ok": true, "result": {
            "id": chat, "type": if chat < 0 { "supergroup" } else { "private" },
            "title": "Audit", "is_forum": chat < 0, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": { "unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false, "premium_subscription": false }
        }}),
        "getChatMember" => {
            let user = body["user_id"].as_i64().unwrap_or(0);
            let (status, topics) = inner
                .members
                .get(&(chat, user))
                .cloned()
                .unwrap_or_else(|| ("administrator".into(), true));
            let user_json = json!({ "id": user, "is_bot": user == 4242, "first_name": "x" });
            if status == "administrator" {
                json!({ "ok": true, "result": {
                    "status": "administrator", "user": user_json,
                    "can_be_edited": false, "is_anonymous": false, "can_manage_chat": true,
                    "can_delete_messages": true, "can_manage_video_chats": true, "can_restrict_members": true,
                    "can_promote_members": false, "can_change_info": true, "can_invite_users": true,
                    "can_post_stories": false, "can_edit_stories": false, "can_delete_stories": false,
                    "can_pin_messages": true, "can_manage_topics": topics
                }})
            } else {
                json!({ "ok": true, "result": { "status": status, "user": user_json } })
            }
        }
        _ => json!({ "ok": true, "result": true }),
    })
}

async fn get_updates(fake: &FakeTelegram, body: &Value) -> Value {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    loop {
        let ready: Vec<Value> = {
            let mut inner = fake.inner.lock().unwrap();
            inner
                .updates
                .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            inner.updates.iter().cloned().collect()
        };
        if !ready.is_empty() || tokio::time::Instant::now() >= deadline {
            return json!({ "ok": true, "result": ready });
        }
        let _ = tokio::time::timeout(Duration::from_millis(100), fake.notify.notified()).await;
    }
}

#[derive(Deserialize)]
struct CallsQuery {
    method: Option<String>,
}

async fn control_calls(
    State(fake): State<FakeTelegram>,
    Query(q): Query<CallsQuery>,
) -> Json<Value> {
    let inner = fake.inner.lock().unwrap();
    let calls: Vec<Value> = inner
        .calls
        .iter()
        .filter(|c| q.method.as_ref().is_none_or(|m| &c.method == m))
        .map(|c| {
            json!({ "method": c.method, "body": c.body, "at_ms": c.at.as_millis() as u64, "refused": c.refused })
        })
        .collect();
    Json(json!({ "calls": calls, "limited": inner.limited }))
}

#[derive(Deserialize)]
struct FailRequest {
    method: String,
    how: Scripted,
}

async fn control_fail(State(fake): State<FakeTelegram>, Json(r): Json<FailRequest>) -> Json<Value> {
    fake.fail_next(&r.method, r.how);
    Json(json!({ "ok": true }))
}

#[derive(Deserialize)]
struct UpdateRequest {
    from: i64,
    first_name: String,
    text: String,
}

async fn control_update(
    State(fake): State<FakeTelegram>,
    Json(r): Json<UpdateRequest>,
) -> Json<Value> {
    fake.send_text(r.from, &r.first_name, &r.text);
    Json(json!({ "ok": true }))
}

async fn control_forget(State(fake): State<FakeTelegram>) -> Json<Value> {
    fake.inner.lock().unwrap().calls.clear();
    Json(json!({ "ok": true }))
}
