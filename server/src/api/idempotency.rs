//! `Idempotency-Key` on POSTs: the first answer is stored for 24 h per API key; a retry gets
//! it again and changes nothing; a concurrent duplicate waits for the first to finish; the
//! same key with another body is refused (422). Answers the client could not get the same
//! way again (429, 5xx) are not stored, so the retry runs afresh. A running request holds
//! its key as a lease it renews: cut off (the client gone: released at once; the process
//! killed: the lease runs out in seconds), the key is free for the retry.

use super::ApiState;
use super::caller::Caller;
use super::problem::ApiError;
use app::error::AppError;
use app::i18n::Msg;
use app::storage::api_keys::{self, Idempotent};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a key is remembered.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// How long a duplicate waits for the first request.
const WAIT: Duration = Duration::from_secs(30);
/// How long a claim holds without being renewed: a request cut off (its process killed)
/// stops renewing, and a retry takes the key over after this.
pub const LEASE_MS: i64 = 10_000;
/// How often a running request renews its claim.
const RENEW_EVERY: Duration = Duration::from_secs(3);

/// A claimed key while its request runs: renews the lease, and gives the key up if the
/// request is dropped before it finishes (the client went away), so a retry runs at once.
struct Claim {
    app: app::state::AppState,
    key_id: i64,
    key: String,
    renewing: tokio::task::JoinHandle<()>,
    done: bool,
}

impl Claim {
    fn new(app: &app::state::AppState, key_id: i64, key: &str) -> Claim {
        let renewing = {
            let (app, key) = (app.clone(), key.to_owned());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(RENEW_EVERY).await;
                    let until = app::domain::Timestamp(app.now().0 + LEASE_MS);
                    let renewed = async {
                        let mut tx = app.db.begin().await?;
                        api_keys::renew(tx.conn(), key_id, &key, until).await?;
                        tx.commit().await
                    }
                    .await;
                    if let Err(e) = renewed {
                        tracing::warn!(error = %e, "idempotency lease not renewed");
                    }
                }
            })
        };
        Claim {
            app: app.clone(),
            key_id,
            key: key.to_owned(),
            renewing,
            done: false,
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.renewing.abort();
        if !self.done {
            let (app, key_id, key) = (self.app.clone(), self.key_id, std::mem::take(&mut self.key));
            tokio::spawn(async move {
                let released = async {
                    let mut tx = app.db.begin().await?;
                    api_keys::release(tx.conn(), key_id, &key).await?;
                    tx.commit().await
                }
                .await;
                if let Err(e) = released {
                    tracing::warn!(error = %e, "an abandoned idempotency claim waits out its lease");
                }
            });
        }
    }
}

/// A JSON answer with its status and headers (what is stored and replayed).
pub struct Answer {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Value,
}

impl Answer {
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body)).into_response();
        for (k, v) in self.headers {
            res.headers_mut().insert(k, v);
        }
        res
    }
}

fn stored(a: &Answer) -> String {
    let headers: Vec<(String, String)> = a
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_owned())))
        .collect();
    json!({ "headers": headers, "body": a.body }).to_string()
}

fn replay(status: u16, text: &str) -> Response {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut res = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        axum::Json(v["body"].clone()),
    )
        .into_response();
    if let Some(headers) = v["headers"].as_array() {
        for pair in headers {
            if let (Some(k), Some(val)) = (pair[0].as_str(), pair[1].as_str())
                && let (Ok(k), Ok(val)) = (k.parse::<HeaderName>(), HeaderValue::from_str(val))
            {
                res.headers_mut().insert(k, val);
            }
        }
    }
    if status >= 400 {
        res.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
    }
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}

/// The key of a request, if it sent one; a malformed one is a 400.
pub fn key_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 255 && v.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| ApiError::bad_request(Msg::ErrIdempotencyKey))?;
    Ok(Some(v.to_owned()))
}

/// Runs `work` once per idempotency key (when the request has one).
pub async fn once<F, Fut>(
    st: &ApiState,
    caller: &Caller,
    headers: &HeaderMap,
    route: &str,
    body: &[u8],
    work: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Answer, ApiError>>,
{
    let key = match key_of(headers) {
        Ok(Some(k)) => k,
        Ok(None) => return work().await.into_response(),
        Err(e) => return e.into_response(),
    };
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    let hash = hex::encode(hasher.finalize());
    let app = &st.app;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now = app.now();
        let claimed = async {
            let mut tx = app.db.begin().await?;
            let r = api_keys::claim(
                tx.conn(),
                caller.key_id,
                &key,
                &hash,
                app::domain::Timestamp(now.0 - KEEP_MS),
                now,
                app::domain::Timestamp(now.0 + LEASE_MS),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, app::storage::StorageError>(r)
        }
        .await;
        match claimed {
            Err(e) => {
                tracing::error!(error = %e, "idempotency claim failed");
                return ApiError::new(AppError::Internal).into_response();
            }
            Ok(Idempotent::Done { request_hash, .. } | Idempotent::Running { request_hash })
                if request_hash != hash =>
            {
                return ApiError::with_msg(
                    AppError::refused(Msg::ErrIdempotencyMismatch),
                    Msg::ErrIdempotencyMismatch,
                    Vec::new(),
                )
                .into_response();
            }
            Ok(Idempotent::Done { status, body, .. }) => return replay(status, &body),
            Ok(Idempotent::Running { .. }) => {
                if tokio::time::Instant::now() > deadline {
                    return ApiError::new(AppError::Conflict).into_response();
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(Idempotent::Claimed) => break,
        }
    }
    let mut claim = Claim::new(app, caller.key_id, &key);
    let outcome = work().await;
    let keep = match &outcome {
        Ok(a) => Some((a.status.as_u16(), stored(a))),
        Err(e) if e.err.status() < 500 && e.err.status() != 429 => {
            let p = e.problem(app::i18n::Lang::default());
            Some((
                e.err.status(),
                json!({ "headers": [], "body": p }).to_string(),
            ))
        }
        Err(_) => None,
    };
    let saved = async {
        let mut tx = app.db.begin().await?;
        match &keep {
            Some((status, text)) => {
                api_keys::finish(tx.conn(), caller.key_id, &key, *status, text, app.now()).await?
            }
            None => api_keys::release(tx.conn(), caller.key_id, &key).await?,
        }
        tx.commit().await
    }
    .await;
    match saved {
        Ok(()) => claim.done = true,
        // The claim is released when dropped: a retry runs afresh.
        Err(e) => tracing::error!(error = %e, "idempotency answer not stored"),
    }
    drop(claim);
    outcome.into_response()
}
