//! The fake Telegram Bot API as a process of its own, for the browser tests and benchmarks:
//! `fake_telegram [ADDR]` (default `127.0.0.1:8081`). Limits from the environment:
//! `FAKE_TG_PER_CHAT_MS`, `FAKE_TG_GLOBAL_PER_SEC`, `FAKE_TG_GROUP_PER_MIN`,
//! `FAKE_TG_GROUP_WINDOW_MS` (Telegram's by default). The control API is described in
//! `server::fake_telegram`.

use server::fake_telegram::{FakeTelegram, Limits};
use std::time::Duration;

fn env_num(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let mut limits = Limits::default();
    if let Some(ms) = env_num("FAKE_TG_PER_CHAT_MS") {
        limits.per_chat = Duration::from_millis(ms);
    }
    if let Some(n) = env_num("FAKE_TG_GLOBAL_PER_SEC") {
        limits.global_per_sec = n as u32;
    }
    if let Some(n) = env_num("FAKE_TG_GROUP_PER_MIN") {
        limits.group_per_min = n as u32;
    }
    if let Some(ms) = env_num("FAKE_TG_GROUP_WINDOW_MS") {
        limits.group_window = Duration::from_millis(ms);
    }
    let fake = FakeTelegram::start_on(&addr, limits).await;
    println!("fake Telegram Bot API on {}", fake.url);
    std::future::pending::<()>().await;
}
