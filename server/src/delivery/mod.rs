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

/// What the feature that queued a message does when Telegram moves or loses its target (the
/// audit feed keeps the group's id and its topics).
pub trait Hooks: Send + Sync {
    /// A group became a supergroup with a new id.
    fn chat_migrated(
        &self,
        state: &app::state::AppState,
        from: i64,
        to: i64,
    ) -> futures::future::BoxFuture<'static, ()>;

    /// A forum topic is gone. Returns the thread to use instead, if the feature made a new one.
    fn thread_missing(
        &self,
        state: &app::state::AppState,
        bot: &teloxide::Bot,
        chat: i64,
        thread: i64,
    ) -> futures::future::BoxFuture<'static, Option<i64>>;

    /// The bot lacks rights in a group (reported on the settings page, not retried forever).
    fn no_rights(
        &self,
        state: &app::state::AppState,
        chat: i64,
        error: String,
    ) -> futures::future::BoxFuture<'static, ()>;
}

/// No feature cares (tests of the sender alone).
pub struct NoHooks;

impl Hooks for NoHooks {
    fn chat_migrated(
        &self,
        _: &app::state::AppState,
        _: i64,
        _: i64,
    ) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }

    fn thread_missing(
        &self,
        _: &app::state::AppState,
        _: &teloxide::Bot,
        _: i64,
        _: i64,
    ) -> futures::future::BoxFuture<'static, Option<i64>> {
        Box::pin(async { None })
    }

    fn no_rights(
        &self,
        _: &app::state::AppState,
        _: i64,
        _: String,
    ) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}
