//! Token buckets per client address for the sign-in endpoints that anyone can call: password
//! sign-ins, and failed Mini App launches. In memory, per instance (documented): with several
//! instances behind a balancer each counts its own share; the per-login lock in the database
//! is what holds across instances.

use crate::domain::throttle::AddressLimits;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct SignInLimits {
    password: DefaultKeyedRateLimiter<IpAddr>,
    failed_launches: DefaultKeyedRateLimiter<IpAddr>,
}

fn per_minute(n: u32) -> DefaultKeyedRateLimiter<IpAddr> {
    RateLimiter::keyed(Quota::per_minute(
        NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN),
    ))
}

fn seconds_until_allowed(limiter: &DefaultKeyedRateLimiter<IpAddr>, ip: IpAddr) -> Option<u64> {
    use governor::clock::{Clock, DefaultClock};
    limiter.check_key(&ip).err().map(|not_until| {
        not_until
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            + 1
    })
}

impl SignInLimits {
    pub fn new(limits: AddressLimits) -> Self {
        Self {
            password: per_minute(limits.password_sign_ins),
            failed_launches: per_minute(limits.failed_launches),
        }
    }

    /// Takes a token for a password sign-in; `Some(seconds)` when the address must wait.
    pub fn password_sign_in(&self, ip: IpAddr) -> Option<u64> {
        seconds_until_allowed(&self.password, ip)
    }

    /// Takes a token for a failed launch; `Some(seconds)` when the address must wait.
    pub fn failed_launch(&self, ip: IpAddr) -> Option<u64> {
        seconds_until_allowed(&self.failed_launches, ip)
    }

    /// Forgets addresses whose buckets are full again (hourly).
    pub fn forget_idle(&self) {
        for l in [&self.password, &self.failed_launches] {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}
