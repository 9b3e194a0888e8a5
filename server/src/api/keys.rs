//! Who calls the API: the `Authorization: Bearer` key, checked against its hash, state,
//! expiry and address allow-list; its rate limit (per key, per instance); and its use, counted
//! in memory and written once a minute (one audit entry per key per minute, not per request).

use super::problem::ApiError;
use app::auth::guard::origin_of;
use app::domain::Timestamp;
use app::domain::actor::{By, KeyActor};
use app::domain::api_keys::{IpNet, Scopes, check_key};
use app::error::AppError;
use app::i18n::Msg;
use app::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

type Limiter = RateLimiter<
    governor::state::NotKeyed,
    governor::state::InMemoryState,
    DefaultClock,
    StateInformationMiddleware,
>;

/// A key's bucket with the rate and burst it was made for.
type Bucket = (i64, i64, Arc<Limiter>);

/// The API's in-memory state of one instance: rate buckets and usage counts per key.
#[derive(Clone, Default)]
pub struct ApiRuntime {
    limits: Arc<Mutex<HashMap<i64, Bucket>>>,
    usage: Arc<Mutex<HashMap<i64, Usage>>>,
}

#[derive(Debug, Clone)]
struct Usage {
    name: String,
    requests: i64,
    last: Timestamp,
}

/// The outcome of taking a token: the bucket's size and what is left, or how long to wait.
enum Taken {
    Yes { limit: i64, remaining: u32 },
    Wait { limit: i64, secs: u64 },
}

impl ApiRuntime {
    fn take(&self, key: i64, rate: i64, burst: i64) -> Taken {
        let limiter = {
            let mut limits = self.limits.lock().unwrap_or_else(|p| p.into_inner());
            let fresh = || {
                let n = |v: i64| {
                    NonZeroU32::new(u32::try_from(v.max(1)).unwrap_or(u32::MAX))
                        .unwrap_or(NonZeroU32::MIN)
                };
                Arc::new(
                    RateLimiter::direct(Quota::per_second(n(rate)).allow_burst(n(burst)))
                        .with_middleware::<StateInformationMiddleware>(),
                )
            };
            let entry = limits.entry(key).or_insert_with(|| (rate, burst, fresh()));
            // The key's limits were edited: start a bucket with the new ones.
            if entry.0 != rate || entry.1 != burst {
                *entry = (rate, burst, fresh());
            }
            entry.2.clone()
        };
        match limiter.check() {
            Ok(snapshot) => Taken::Yes {
                limit: burst,
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => Taken::Wait {
                limit: burst,
                secs: not_until
                    .wait_time_from(DefaultClock::default().now())
                    .as_secs()
                    + 1,
            },
        }
    }

    fn count(&self, key: i64, name: &str, now: Timestamp) {
        let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
        let u = usage.entry(key).or_insert_with(|| Usage {
            name: name.to_owned(),
            requests: 0,
            last: now,
        });
        u.requests += 1;
        u.last = now;
    }

    /// Writes and forgets the counts so far (the jobs call this every minute and at shutdown).
    pub async fn flush_usage(&self, state: &AppState) -> Result<(), app::storage::StorageError> {
        let taken: Vec<(i64, String, i64, Timestamp)> = {
            let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
            usage
                .drain()
                .map(|(id, u)| (id, u.name, u.requests, u.last))
                .collect()
        };
        let result = app::api_keys::service::record_usage(state, &taken).await;
        if result.is_err() {
            // Not lost: counted again with the next flush.
            let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
            for (id, name, requests, last) in taken {
                let u = usage.entry(id).or_insert(Usage {
                    name,
                    requests: 0,
                    last,
                });
                u.requests += requests;
            }
        }
        result
    }
}

pub use super::caller::Caller;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn unauthorized(msg: Msg) -> Response {
    ApiError::with_msg(AppError::Unauthorized, msg, Vec::new()).into_response()
}

fn header_value(n: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&n.to_string()).unwrap_or(HeaderValue::from_static("0"))
}

/// Authenticates every `/api/v1` request but the documentation, and rate-limits it.
pub async fn authenticate(
    State(st): State<super::ApiState>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let app = &st.app;
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let origin = origin_of(req.headers(), peer, "api", &app.config.trusted_proxies);
    let Some(token) = bearer(req.headers()) else {
        return unauthorized(Msg::ErrApiKeyMissing);
    };
    let hash = app::api_keys::service::secret_hash(token);
    let row = match app.db.read().await {
        Ok(mut c) => app::storage::api_keys::by_hash(c.conn(), &hash).await,
        Err(e) => Err(e),
    };
    let row = match row {
        Ok(Some(row)) => row,
        Ok(None) => return unauthorized(Msg::ErrApiKeyInvalid),
        Err(e) => {
            tracing::error!(error = %e, "API key lookup failed");
            return ApiError::new(AppError::Internal).into_response();
        }
    };
    let now = app.now();
    let ip = origin.ip.as_deref().and_then(|ip| ip.parse().ok());
    let allow = IpNet::list(&row.ip_allow).unwrap_or_default();
    if let Err(why) = check_key(row.revoked_at, row.expires_at, &allow, ip, now) {
        tracing::info!(key = row.id, ?why, "API key refused");
        return unauthorized(Msg::ErrApiKeyInvalid);
    }
    let (limit, remaining) = match st.runtime.take(row.id, row.rate_per_sec, row.burst) {
        Taken::Yes { limit, remaining } => (limit, remaining),
        Taken::Wait { limit, secs } => {
            let mut res = ApiError::with_msg(
                AppError::Throttled {
                    retry_after_secs: secs,
                },
                Msg::ErrApiRateLimited,
                vec![("seconds", secs.to_string())],
            )
            .into_response();
            let h = res.headers_mut();
            h.insert("ratelimit-limit", header_value(limit));
            h.insert("ratelimit-remaining", header_value(0));
            h.insert("ratelimit-reset", header_value(secs));
            return res;
        }
    };
    st.runtime.count(row.id, &row.name, now);
    let scopes = Scopes::parse(&row.scopes).unwrap_or_default();
    req.extensions_mut().insert(Caller {
        key_id: row.id,
        by: By::Key(KeyActor {
            id: row.id,
            name: row.name.clone(),
            admin: scopes.admin(),
        }),
        scopes,
        origin,
    });
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("ratelimit-limit", header_value(limit));
    h.insert("ratelimit-remaining", header_value(remaining));
    h.insert("ratelimit-reset", header_value(1));
    res
}

/// Every minute: writes this instance's key use and forgets idempotency keys older than a
/// day. Each instance writes its own counts (they add up); the purge is harmless twice.
pub async fn housekeeping(
    runtime: ApiRuntime,
    state: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => break,
        }
        if let Err(e) = runtime.flush_usage(&state).await {
            tracing::warn!(error = %e, "API key use not recorded yet");
        }
        let before = Timestamp(state.now().0 - super::idempotency::KEEP_MS);
        let purged = async {
            let mut tx = state.db.begin().await?;
            let n = app::storage::api_keys::purge_idempotency(tx.conn(), before).await?;
            tx.commit().await?;
            Ok::<_, app::storage::StorageError>(n)
        }
        .await;
        if let Err(e) = purged {
            tracing::warn!(error = %e, "old idempotency keys not purged");
        }
    }
}
