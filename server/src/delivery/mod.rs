//! Telegram delivery: the one place that sends queued messages (notifications and the audit
//! feed) to Telegram, from the `tg_outbox` table, within Telegram's limits, with its errors
//! classified and retried. Runs on the leader instance only (`crate::leader`), so several
//! instances never exceed the rates together.
//!
//! teloxide's `Throttle` adaptor is not used for this: its queue lives in memory (lost on
//! restart, one per process), one 429 freezes every chat, and it does not count edits or topic
//! creation. Our buckets are `app::domain::delivery`.

pub mod classify;
pub mod sender;

use app::notifications::OutboxMessage;
use app::state::AppState;
use futures::future::BoxFuture;

/// Where a message goes, decided when its slot comes (a topic may have to be made first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Send now, into this thread (none: the main chat).
    Send(Option<i64>),
    /// The slot went to a call made for the message (a new forum topic): it goes in the next.
    SlotUsed,
    /// Not now: try again later (the error is kept on the message).
    Later(String),
}

/// What the feature that queued a message does about its target (the audit feed keeps the
/// group's id and its topics).
pub trait Hooks: Send + Sync {
    /// Where `m` goes now. The slot is the message's: a topic made here counts in the group's
    /// budget like a message.
    fn route(&self, _state: &AppState, m: &OutboxMessage) -> BoxFuture<'static, Route> {
        let thread = m.thread_id;
        Box::pin(async move { Route::Send(thread) })
    }

    /// A group became a supergroup with a new id.
    fn chat_migrated(&self, _state: &AppState, _from: i64, _to: i64) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }

    /// A forum topic is gone; the message is tried again and [`Hooks::route`] says where.
    fn thread_missing(
        &self,
        _state: &AppState,
        _chat: i64,
        _thread: i64,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }

    /// The bot lacks rights in a group, or was removed (reported on the settings page, not
    /// retried forever).
    fn no_rights(&self, _state: &AppState, _chat: i64, _error: String) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// No feature cares (tests of the sender alone).
pub struct NoHooks;

impl Hooks for NoHooks {}
