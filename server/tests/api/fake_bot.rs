//! The fake Telegram Bot API of the server crate (`server::fake_telegram`), with a helper to
//! wait for calls.

pub use server::fake_telegram::{Call, FakeTelegram, Limits, Scripted};
use std::time::Duration;

/// A fake without limits (tests that are not about them).
pub async fn start() -> FakeTelegram {
    FakeTelegram::start(Limits::none()).await
}

/// Waits until `n` calls of `method` were recorded and returns them.
pub async fn wait_calls(fake: &FakeTelegram, method: &str, n: usize) -> Vec<Call> {
    crate::helpers::eventually(
        &format!("{n} call(s) of {method}"),
        Duration::from_secs(20),
        || async {
            let calls = fake.calls(method);
            (calls.len() >= n).then_some(calls)
        },
    )
    .await
}
