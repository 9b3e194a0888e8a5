//! The Telegram bot: a task in the server process, long polling by default or a webhook mounted
//! into our own router. Handlers call the same services as the web side.

mod handlers;
mod link;
mod reply;
pub mod send;

use crate::config::{BotMode, BotSettings};
use app::state::AppState;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::{Dispatcher, ShutdownToken};
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::update_listeners::webhooks;

/// Builds the Bot API client, pointed at `api_url` when given (tests use a fake server).
pub fn client(token: &str, api_url: Option<&str>) -> Result<Bot, url::ParseError> {
    let bot = Bot::new(token);
    Ok(match api_url {
        Some(url) => bot.set_api_url(url::Url::parse(url)?),
        None => bot,
    })
}

/// What sends to Telegram: the sender of queued messages and the audit feed, when a bot is
/// configured and on.
pub struct Outgoing {
    pub sender: crate::delivery::sender::Sender,
    pub feed: Arc<crate::audit_feed::AuditFeed>,
}

pub fn outgoing(settings: &crate::config::Settings, state: AppState) -> Option<Outgoing> {
    let token = settings.bot.token.clone()?;
    if settings.bot.mode == BotMode::Off {
        return None;
    }
    let bot = match client(&token, settings.bot.api_url.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "TELEGRAM_API_URL is invalid: nothing is sent");
            return None;
        }
    };
    state.set_telegram(Arc::new(crate::audit_feed::bind::BotProbe {
        bot: bot.clone(),
    }));
    let feed = Arc::new(crate::audit_feed::AuditFeed::new(bot.clone()));
    let mode = match settings.bot.mode {
        BotMode::Polling => "polling",
        BotMode::Webhook => "webhook",
        BotMode::Off => "off",
    };
    let sender = crate::delivery::sender::Sender::new(
        state,
        bot,
        mode,
        Arc::new(crate::audit_feed::FeedHooks::new(feed.clone())),
        settings.delivery.clone(),
    );
    Some(Outgoing { sender, feed })
}

/// A running bot, stopped with the server.
pub struct BotRuntime {
    shutdown: Arc<tokio::sync::Mutex<Option<ShutdownToken>>>,
    task: tokio::task::JoinHandle<()>,
}

impl BotRuntime {
    pub async fn stop(self) {
        if let Some(token) = self.shutdown.lock().await.take() {
            match token.shutdown() {
                Ok(done) => done.await,
                Err(e) => tracing::debug!(error = ?e, "bot was not running"),
            }
        }
        self.task.abort();
    }
}

fn dispatcher(
    bot: Bot,
    state: AppState,
) -> Dispatcher<Bot, teloxide::RequestError, teloxide::dispatching::DefaultKey> {
    Dispatcher::builder(bot, handlers::schema())
        .dependencies(dptree::deps![state])
        .default_handler(|upd| async move {
            tracing::debug!(update_id = upd.id.0, "bot update without a handler");
        })
        .error_handler(LoggingErrorHandler::with_custom_text("bot handler failed"))
        .build()
}

/// Starts long polling in a task. Failures to reach Telegram are retried, never fatal.
pub fn start_polling(settings: &BotSettings, state: AppState) -> Option<BotRuntime> {
    let token = settings.token.clone()?;
    if settings.mode != BotMode::Polling {
        return None;
    }
    let bot = match client(&token, settings.api_url.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "TELEGRAM_API_URL is invalid: the bot is off");
            return None;
        }
    };
    let shutdown = Arc::new(tokio::sync::Mutex::new(None));
    let slot = shutdown.clone();
    let task = tokio::spawn(async move {
        let mut delay = Duration::from_secs(1);
        loop {
            let mut d = dispatcher(bot.clone(), state.clone());
            *slot.lock().await = Some(d.shutdown_token());
            let listener = teloxide::update_listeners::Polling::builder(bot.clone())
                .timeout(Duration::from_secs(25))
                .delete_webhook()
                .await
                .build();
            tracing::info!("bot: long polling started");
            match d
                .try_dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("bot polling failed"),
                )
                .await
            {
                Ok(()) => {
                    tracing::info!("bot: polling stopped");
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in = ?delay, "bot: cannot reach the Bot API");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(60));
                }
            }
        }
    });
    Some(BotRuntime { shutdown, task })
}

/// Registers the webhook with Telegram and returns the route that receives updates (checked
/// against the secret token header) and the running dispatcher.
pub async fn start_webhook(
    settings: &BotSettings,
    public_url: &str,
    local_addr: std::net::SocketAddr,
    state: AppState,
) -> Result<Option<(axum::Router, BotRuntime)>, String> {
    let (Some(token), BotMode::Webhook) = (settings.token.clone(), settings.mode) else {
        return Ok(None);
    };
    let bot = client(&token, settings.api_url.as_deref()).map_err(|e| e.to_string())?;
    let url =
        url::Url::parse(&format!("{public_url}/telegram/webhook")).map_err(|e| e.to_string())?;
    let secret = settings.webhook_secret.clone().unwrap_or_default();
    let options = webhooks::Options::new(local_addr, url)
        .path("/telegram/webhook".into())
        .secret_token(secret);
    let (listener, stop, router) = webhooks::axum_to_router(bot.clone(), options)
        .await
        .map_err(|e| format!("setWebhook failed: {e}"))?;
    let mut d = dispatcher(bot, state);
    let shutdown = Arc::new(tokio::sync::Mutex::new(Some(d.shutdown_token())));
    let task = tokio::spawn(async move {
        let stop_task = tokio::spawn(stop);
        d.dispatch_with_listener(
            listener,
            LoggingErrorHandler::with_custom_text("bot webhook failed"),
        )
        .await;
        stop_task.abort();
    });
    tracing::info!("bot: webhook registered at {public_url}/telegram/webhook");
    Ok(Some((router, BotRuntime { shutdown, task })))
}
