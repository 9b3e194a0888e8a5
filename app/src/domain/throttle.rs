//! Throttling of failed sign-ins: after `max_failures` within `window_secs` the key is locked
//! for `lock_secs`. A success clears the key.

use super::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 15 * 60,
            lock_secs: 15 * 60,
        }
    }
}

/// How many times more failures a login takes from all addresses together than from one.
pub const LOGIN_CEILING_FACTOR: i64 = 20;

impl ThrottlePolicy {
    /// The ceiling for a login from every address together: far above one address's limit, so
    /// someone guessing from elsewhere does not lock the owner out, yet a guessing network is
    /// still bounded.
    pub fn per_login(self) -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: self.max_failures.saturating_mul(LOGIN_CEILING_FACTOR),
            ..self
        }
    }
}

/// The two throttle keys of a password sign-in: the login from this address (the usual
/// limit) and the login from anywhere (the higher ceiling).
pub fn sign_in_keys(login: &str, address: Option<std::net::IpAddr>) -> (String, String) {
    let from = address.map_or_else(|| "-".to_owned(), |a| a.to_string());
    (format!("admin:{login}@{from}"), format!("admin:{login}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub window_started_at: Timestamp,
    pub locked_until: Option<Timestamp>,
}

/// Seconds until the key may try again, or `None` if it may try now.
pub fn locked_for(state: Option<Failures>, now: Timestamp) -> Option<u64> {
    let until = state?.locked_until?;
    (until > now).then(|| ((until.millis() - now.millis() + 999) / 1000) as u64)
}

/// Counts one more password check before it happens: the state to store, or the seconds the
/// key is still locked for. Counting first (and atomically, in the caller's locked row) is what
/// keeps parallel guesses to `max_failures` checks per window; a success clears the key.
pub fn before_check(
    state: Option<Failures>,
    now: Timestamp,
    policy: ThrottlePolicy,
) -> Result<Failures, u64> {
    if let Some(secs) = locked_for(state, now) {
        return Err(secs);
    }
    Ok(after_failure(state, now, policy))
}

/// Whether a stored state no longer matters (its window and its lock are over): such rows are
/// purged.
pub fn is_stale(state: Failures, now: Timestamp, policy: ThrottlePolicy) -> bool {
    state.window_started_at <= now.minus_secs(policy.window_secs)
        && state.locked_until.is_none_or(|u| u <= now)
}

/// The longest login and password a sign-in is checked with; longer ones cannot match (a set
/// password has at most 128 characters) and are refused before any database or hash work.
pub const MAX_LOGIN_BYTES: usize = 64;
pub const MAX_PASSWORD_BYTES: usize = 512;

/// Fixed windows in which repeated sign-in failures of one key are counted, and recorded as one
/// audit entry when the window closes.
pub const FAILURE_WINDOW_SECS: i64 = 300;

/// The start of the failure window `now` falls in.
pub fn failure_window(now: Timestamp) -> Timestamp {
    let w = FAILURE_WINDOW_SECS * 1000;
    Timestamp(now.millis().div_euclid(w) * w)
}

/// Per-address limits of sign-ins, in requests per minute (also the burst allowed at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressLimits {
    /// Password sign-ins to the admin panel, successful or not.
    pub password_sign_ins: u32,
    /// Failed Mini App launches (bad initData). Valid launches are never limited: a whole
    /// office behind one address signs in at the start of an exam.
    pub failed_launches: u32,
}

impl Default for AddressLimits {
    fn default() -> Self {
        Self {
            password_sign_ins: 10,
            failed_launches: 20,
        }
    }
}

/// The state after one more failure.
pub fn after_failure(state: Option<Failures>, now: Timestamp, policy: ThrottlePolicy) -> Failures {
    let fresh = Failures {
        count: 0,
        window_started_at: now,
        locked_until: None,
    };
    let current = match state {
        Some(s) if s.window_started_at > now.minus_secs(policy.window_secs) => s,
        // The window has passed (or a lock has ended): start counting again.
        _ => fresh,
    };
    let count = current.count + 1;
    Failures {
        count,
        window_started_at: current.window_started_at,
        locked_until: (count >= policy.max_failures).then(|| now.plus_secs(policy.lock_secs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp(1_000_000_000);

    #[test]
    fn locks_after_the_maximum_failures_within_the_window() {
        let policy = ThrottlePolicy::default();
        let mut state = None;
        for i in 0..4 {
            state = Some(after_failure(state, T0.plus_secs(i), policy));
            assert_eq!(locked_for(state, T0.plus_secs(i)), None);
        }
        state = Some(after_failure(state, T0.plus_secs(10), policy));
        assert_eq!(locked_for(state, T0.plus_secs(10)), Some(900));
        assert_eq!(locked_for(state, T0.plus_secs(10 + 899)), Some(1));
        assert_eq!(locked_for(state, T0.plus_secs(10 + 900)), None);
    }

    #[test]
    fn failures_spread_beyond_the_window_do_not_lock() {
        let policy = ThrottlePolicy::default();
        let mut state = None;
        for i in 0..10 {
            let now = T0.plus_secs(i * 400);
            state = Some(after_failure(state, now, policy));
            assert_eq!(locked_for(state, now), None, "failure {i}");
        }
    }

    #[test]
    fn checks_are_counted_before_they_happen() {
        let policy = ThrottlePolicy::default();
        let mut state = None;
        for _ in 0..policy.max_failures {
            state = Some(before_check(state, T0, policy).expect("may check"));
        }
        assert_eq!(before_check(state, T0, policy), Err(900));
        assert!(!is_stale(state.unwrap(), T0.plus_secs(899), policy));
        assert!(is_stale(state.unwrap(), T0.plus_secs(900), policy));
    }

    #[test]
    fn failure_windows_are_aligned() {
        let w = failure_window(Timestamp(1_000_123_456));
        assert_eq!(w.millis() % (FAILURE_WINDOW_SECS * 1000), 0);
        assert!(w.millis() <= 1_000_123_456);
        assert_eq!(failure_window(w), w);
    }

    #[test]
    fn a_failure_after_the_lock_starts_a_new_window() {
        let policy = ThrottlePolicy::default();
        let locked = Failures {
            count: 5,
            window_started_at: T0,
            locked_until: Some(T0.plus_secs(900)),
        };
        let next = after_failure(Some(locked), T0.plus_secs(2000), policy);
        assert_eq!(next.count, 1);
        assert_eq!(next.locked_until, None);
    }
}
