//! Sending with Telegram's error rules: wait `retry_after` on 429 and retry the same message;
//! a user who blocked the bot is not retried; anything else is logged, never a crash.

use std::future::Future;
use std::time::Duration;
use teloxide::{ApiError, RequestError};

#[derive(Debug, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// 403: the user blocked the bot or deleted their account.
    Blocked,
    /// Anything else after the retries: logged.
    Failed,
}

const MAX_ATTEMPTS: u32 = 4;

/// Runs `send` until it succeeds, honouring 429 `retry_after` (capped at 60 s) and retrying
/// network errors with a short back-off.
pub async fn with_retry<F, Fut, T>(what: &str, mut send: F) -> SendOutcome
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match send().await {
            Ok(_) => return SendOutcome::Sent,
            Err(RequestError::RetryAfter(secs)) if attempt < MAX_ATTEMPTS => {
                let wait = secs.duration().min(Duration::from_secs(60));
                tracing::warn!(
                    what,
                    ?wait,
                    "Telegram rate limit (429): waiting before retry"
                );
                tokio::time::sleep(wait).await;
            }
            Err(RequestError::Api(
                ApiError::BotBlocked | ApiError::UserDeactivated | ApiError::BotKicked,
            )) => {
                tracing::info!(what, "recipient blocked the bot or is gone: not retrying");
                return SendOutcome::Blocked;
            }
            Err(RequestError::Network(e)) if attempt < MAX_ATTEMPTS => {
                tracing::warn!(what, error = %e, "network error talking to Telegram: retrying");
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
            }
            Err(e) => {
                tracing::error!(what, error = %e, "Telegram refused the request");
                return SendOutcome::Failed;
            }
        }
    }
}
