//! A fake Telegram Bot API on loopback: records every call, hands out queued updates through
//! `getUpdates`, and answers scripted errors (429 with retry_after, 403 blocked).

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
}

#[derive(Debug, Clone)]
pub enum Scripted {
    RetryAfter(u64),
    Blocked,
    BadRequest(&'static str),
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    updates: VecDeque<Value>,
    failures: HashMap<String, VecDeque<Scripted>>,
    next_update_id: i64,
    next_message_id: i64,
}

#[derive(Clone)]
pub struct FakeBotApi {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    notify: Arc<Notify>,
}

impl FakeBotApi {
    pub async fn start() -> FakeBotApi {
        let inner = Arc::new(Mutex::new(Inner {
            next_update_id: 1,
            next_message_id: 1,
            ..Inner::default()
        }));
        let notify = Arc::new(Notify::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fake = FakeBotApi { url, inner, notify };
        let router = Router::new()
            .route("/{token}/{method}", post(handle))
            .with_state(fake.clone());
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        fake
    }

    /// Queues a private-chat text message from a user, as Telegram would deliver it.
    pub fn send_text(&self, from_id: i64, first_name: &str, text: &str) {
        let mut inner = self.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
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
        inner.updates.push_back(json!({
            "update_id": id,
            "message": {
                "message_id": id,
                "date": 1_700_000_000,
                "chat": { "id": from_id, "type": "private", "first_name": first_name },
                "from": {
                    "id": from_id, "is_bot": false, "first_name": first_name,
                    "last_name": "Тестов", "username": format!("u{from_id}"), "language_code": "ru"
                },
                "text": text,
                "entities": entities
            }
        }));
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

    /// Waits until `n` calls of `method` were recorded and returns them.
    pub async fn wait_calls(&self, method: &str, n: usize) -> Vec<Call> {
        crate::helpers::eventually(
            &format!("{n} call(s) of {method}"),
            Duration::from_secs(20),
            || async {
                let calls = self.calls(method);
                (calls.len() >= n).then_some(calls)
            },
        )
        .await
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
    ];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(method))
        .map(|k| (*k).to_owned())
        .unwrap_or_else(|| method.to_owned())
}

async fn handle(
    State(fake): State<FakeBotApi>,
    Path((token, method)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Json<Value> {
    assert!(
        token.starts_with("bot"),
        "Bot API path must start with /bot<token>"
    );
    // Bot API method names are case-insensitive; teloxide sends e.g. `SendMessage`.
    let method = normalize(&method);
    let body = body.map(|Json(v)| v).unwrap_or(Value::Null);
    let scripted = {
        let mut inner = fake.inner.lock().unwrap();
        if method != "getUpdates" {
            inner.calls.push(Call {
                method: method.clone(),
                body: body.clone(),
            });
        }
        inner.failures.get_mut(&method).and_then(|q| q.pop_front())
    };
    if let Some(f) = scripted {
        return Json(match f {
            Scripted::RetryAfter(secs) => json!({
                "ok": false, "error_code": 429,
                "description": format!("Too Many Requests: retry after {secs}"),
                "parameters": { "retry_after": secs }
            }),
            Scripted::Blocked => json!({
                "ok": false, "error_code": 403,
                "description": "Forbidden: bot was blocked by the user"
            }),
            Scripted::BadRequest(d) => json!({ "ok": false, "error_code": 400, "description": d }),
        });
    }
    Json(match method.as_str() {
        "getMe" => json!({ "ok": true, "result": {
            "id": 4242, "is_bot": true, "first_name": "Attest", "username": "attest_test_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false
        }}),
        "getWebhookInfo" => json!({ "ok": true, "result": {
            "url": "", "has_custom_certificate": false, "pending_update_count": 0
        }}),
        "getUpdates" => {
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
                    break json!({ "ok": true, "result": ready });
                }
                let _ =
                    tokio::time::timeout(Duration::from_millis(100), fake.notify.notified()).await;
            }
        }
        "sendMessage" => {
            let mut inner = fake.inner.lock().unwrap();
            let id = inner.next_message_id;
            inner.next_message_id += 1;
            let chat_id = body["chat_id"].clone();
            json!({ "ok": true, "result": {
                "message_id": id, "date": 1_700_000_000,
                "chat": { "id": chat_id, "type": "private", "first_name": "x" },
                "text": body["text"].clone()
            }})
        }
        _ => json!({ "ok": true, "result": true }),
    })
}
