//! Sending within Telegram's limits: about 30 messages a second overall, one a second per chat,
//! 20 a minute per group (topics, edits and topic creation included). The sender asks these
//! buckets before each message and tells them about every 429. Time is in milliseconds of a
//! monotonic clock the caller provides, so the rules are tested without waiting.
//!
//! A 429 never says whether the limit was the chat's or the bot's: `retry_after` pauses that
//! chat, and a long one (over 5 s) or 429s from three chats within a second pause everything.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

/// The limits the sender keeps to (configurable so tests run them scaled down).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub global_per_sec: u32,
    /// Least time between two messages to one private chat.
    pub chat_spacing_ms: u64,
    /// Least time between two messages to one group (20 a minute).
    pub group_spacing_ms: u64,
}

impl Default for Rates {
    fn default() -> Self {
        Self {
            global_per_sec: 25,
            chat_spacing_ms: 1_000,
            group_spacing_ms: 3_000,
        }
    }
}

/// A 429 with a `retry_after` over this pauses every chat.
const GLOBAL_PAUSE_OVER_MS: u64 = 5_000;
/// 429s from this many chats within `STORM_WINDOW_MS` pause every chat.
const STORM_CHATS: usize = 3;
const STORM_WINDOW_MS: u64 = 1_000;

/// Groups, supergroups and channels have negative ids.
pub fn is_group(chat: i64) -> bool {
    chat < 0
}

#[derive(Debug, Clone)]
pub struct Buckets {
    rates: Rates,
    global_next: u64,
    chats: HashMap<i64, u64>,
    paused_until: u64,
    recent_429: VecDeque<(u64, i64)>,
}

impl Buckets {
    pub fn new(rates: Rates) -> Self {
        Self {
            rates,
            global_next: 0,
            chats: HashMap::new(),
            paused_until: 0,
            recent_429: VecDeque::new(),
        }
    }

    pub fn set_rates(&mut self, rates: Rates) {
        self.rates = rates;
    }

    fn global_spacing(&self) -> u64 {
        1_000 / u64::from(self.rates.global_per_sec.max(1))
    }

    /// The earliest instant a message to `chat` may go.
    pub fn ready_at(&self, chat: i64) -> u64 {
        let chat_next = self.chats.get(&chat).copied().unwrap_or(0);
        chat_next.max(self.global_next).max(self.paused_until)
    }

    /// Everything is paused until this instant (a storm of 429s).
    pub fn paused_until(&self) -> u64 {
        self.paused_until
    }

    /// Takes the slot of one message to `chat` if it may go at `now`.
    pub fn take(&mut self, chat: i64, now: u64) -> bool {
        if self.ready_at(chat) > now {
            return false;
        }
        self.global_next = self.global_next.max(now) + self.global_spacing();
        let spacing = if is_group(chat) {
            self.rates.group_spacing_ms
        } else {
            self.rates.chat_spacing_ms
        };
        self.chats.insert(chat, now + spacing);
        true
    }

    /// Telegram answered 429 for `chat` with `retry_after_secs`.
    pub fn retry_after(&mut self, chat: i64, retry_after_secs: u64, now: u64) {
        let wait = retry_after_secs.max(1) * 1_000;
        let until = now + wait;
        let slot = self.chats.entry(chat).or_insert(0);
        *slot = (*slot).max(until);
        self.recent_429.push_back((now, chat));
        while self
            .recent_429
            .front()
            .is_some_and(|(t, _)| *t + STORM_WINDOW_MS < now)
        {
            self.recent_429.pop_front();
        }
        let mut chats: Vec<i64> = self.recent_429.iter().map(|(_, c)| *c).collect();
        chats.sort_unstable();
        chats.dedup();
        if wait > GLOBAL_PAUSE_OVER_MS || chats.len() >= STORM_CHATS {
            self.paused_until = self.paused_until.max(until);
        }
    }

    /// Forgets chats whose slot has passed (keeps the map small).
    pub fn forget_idle(&mut self, now: u64) {
        self.chats.retain(|_, next| *next > now);
    }
}

/// What Telegram's answer to a send means for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent {
        message_id: i64,
    },
    /// 429: the same message again after this many seconds.
    RetryAfter(u64),
    /// 403 (blocked, deactivated, can't initiate, kicked): stop sending to this recipient.
    Unreachable(String),
    /// The group became a supergroup: the same message to the new id.
    Migrated(i64),
    /// The forum topic was deleted.
    ThreadNotFound,
    /// The bot lacks a right (e.g. `can_manage_topics`): a configuration problem.
    NoRights(String),
    /// Telegram refused the message itself (400): retrying will not help.
    Refused(String),
    /// A network error or a server error: retry with backoff.
    Transient(String),
}

/// Retries of a transient failure before the message is given up as dead.
pub const MAX_ATTEMPTS: i64 = 8;

/// The wait before the next try of a message that failed `attempts` times: 5 s doubling, at
/// most 10 minutes.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (5_000i64 << exp).min(600_000)
}

/// Classifies Telegram's error text (teloxide keeps the description, not the code).
pub fn classify_text(text: &str) -> SendOutcome {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("forbidden")
        || lower.contains("bot was blocked")
        || lower.contains("user is deactivated")
        || lower.contains("can't initiate conversation")
        || lower.contains("bot was kicked")
    {
        return SendOutcome::Unreachable(text.to_owned());
    }
    if lower.contains("message thread not found") || lower.contains("topic_deleted") {
        return SendOutcome::ThreadNotFound;
    }
    if lower.contains("not enough rights")
        || lower.contains("chat_admin_required")
        || lower.contains("need administrator rights")
    {
        return SendOutcome::NoRights(text.to_owned());
    }
    if lower.starts_with("bad request") {
        return SendOutcome::Refused(text.to_owned());
    }
    SendOutcome::Transient(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_a_second_per_chat_and_the_global_rate_across_chats() {
        let mut b = Buckets::new(Rates::default());
        assert!(b.take(1, 0));
        assert!(!b.take(1, 500), "a second per chat");
        assert!(b.take(1, 1_000));
        // 25 a second overall: 40 ms apart.
        let mut sent = 0;
        let mut now = 2_000;
        for chat in 100..200 {
            while !b.take(chat, now) {
                now += 1;
            }
            sent += 1;
        }
        assert_eq!(sent, 100);
        assert!(now >= 2_000 + 99 * 40, "{now}");
        // Groups: 20 a minute.
        let now = now + 40;
        assert!(b.take(-100, now));
        assert!(!b.take(-100, now + 2_999));
        assert!(b.take(-100, now + 3_000));
    }

    #[test]
    fn a_429_pauses_the_chat_and_a_storm_pauses_everything() {
        let mut b = Buckets::new(Rates::default());
        b.retry_after(7, 3, 1_000);
        assert_eq!(b.ready_at(7), 4_000);
        assert!(b.take(8, 1_100), "other chats go on");
        b.retry_after(9, 1, 1_200);
        b.retry_after(10, 1, 1_300);
        assert!(b.paused_until() >= 2_300, "three chats within a second");
        assert!(!b.take(11, 2_000));
        let mut long = Buckets::new(Rates::default());
        long.retry_after(5, 30, 0);
        assert_eq!(long.ready_at(6), 30_000, "a long retry_after pauses all");
    }

    #[test]
    fn errors_are_classified_by_their_text() {
        assert!(matches!(
            classify_text("Forbidden: bot was blocked by the user"),
            SendOutcome::Unreachable(_)
        ));
        assert!(matches!(
            classify_text("Forbidden: bot can't initiate conversation with a user"),
            SendOutcome::Unreachable(_)
        ));
        assert_eq!(
            classify_text("Bad Request: message thread not found"),
            SendOutcome::ThreadNotFound
        );
        assert!(matches!(
            classify_text("Bad Request: not enough rights to create a topic"),
            SendOutcome::NoRights(_)
        ));
        assert!(matches!(
            classify_text("Bad Request: message is too long"),
            SendOutcome::Refused(_)
        ));
        assert!(matches!(
            classify_text("Internal Server Error"),
            SendOutcome::Transient(_)
        ));
        assert_eq!(backoff_ms(1), 5_000);
        assert_eq!(backoff_ms(2), 10_000);
        assert_eq!(backoff_ms(50), 600_000);
    }
}
