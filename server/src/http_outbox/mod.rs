//! The sender of the generic HTTP outbox (`app::storage::http_outbox`): on the leader, takes
//! due rows, builds each request for its channel (webhooks: the subscription's URL, signed
//! with its secrets; xAPI: a PUT of the statement by its id to the LRS, Basic auth), sends it with short timeouts and no redirects, and records the verdict:
//! delivered, retried with backoff, dead after the last try, or, on 410 Gone, dead with the
//! subscription switched off. Targets are checked again at send time: every address a name
//! resolves to must be public unless the operator allows private ones, and the connection
//! goes to a checked address (no window for DNS rebinding).

use app::domain::Timestamp;
use app::domain::webhooks::{
    EVENT_HEADER, ID_HEADER, SIGNATURE_HEADER, Verdict, check_target, is_public, signature_header,
    verdict,
};
use app::domain::xapi::{VERSION as XAPI_VERSION, lrs_verdict};
use app::state::AppState;
use app::storage::http_outbox::{Due, TryResult, WEBHOOK, XAPI};
use app::storage::{self, StorageError};
use app::xapi::XapiSettings;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Rows taken per claim, and requests in flight at once.
const BATCH: i64 = 50;
const IN_FLIGHT: usize = 8;
/// Claims per tick at most (so one tick ends and the job loop stays responsive).
const MAX_BATCHES: usize = 20;
/// A claimed row is tried again after this if its sender dies mid-send.
const LEASE_MS: i64 = 60_000;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const TIMEOUT: Duration = Duration::from_secs(10);

/// Resolves names like the system does, then refuses every non-public address.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() || addrs.iter().any(|a| !is_public(a.ip())) {
                return Err(format!("{host} resolves to a private or reserved address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Sends the outbox's requests; one per process, used by the leader's job.
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(allow_private: bool) -> Arc<Self> {
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .user_agent(concat!("Attest-Webhooks/", env!("CARGO_PKG_VERSION")))
            // A proxy from the environment (HTTP_PROXY, ALL_PROXY…) would resolve the names
            // itself, past the public-address check: outgoing calls never use one.
            .no_proxy();
        if !allow_private {
            b = b.dns_resolver(Arc::new(PublicOnly));
        }
        Arc::new(Self {
            client: b.build().expect("the HTTP client builds"),
            allow_private,
        })
    }

    /// Sends what is due now; returns how many tries were made.
    pub async fn tick(&self, state: &AppState) -> Result<usize, StorageError> {
        let mut total = 0;
        for _ in 0..MAX_BATCHES {
            let now = state.now();
            let mut tx = state.db.begin().await?;
            let due =
                storage::http_outbox::claim_due(tx.conn(), now, Timestamp(now.0 + LEASE_MS), BATCH)
                    .await?;
            tx.commit().await?;
            if due.is_empty() {
                break;
            }
            total += due.len();
            let full = due.len() as i64 == BATCH;
            let results: Vec<Result<(), StorageError>> = futures::stream::iter(due)
                .map(|row| self.send_one(state, row))
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
            for r in results {
                r?;
            }
            if !full {
                break;
            }
        }
        Ok(total)
    }

    async fn send_one(&self, state: &AppState, row: Due) -> Result<(), StorageError> {
        let attempt = match row.channel.as_str() {
            WEBHOOK => self.send_webhook(state, &row).await?,
            XAPI => self.send_statement(state, &row).await?,
            other => Attempt::Fatal(format!("unknown channel {other}")),
        };
        let now = state.now();
        let mut tx = state.db.begin().await?;
        let (status, error) = match &attempt {
            Attempt::Answered(s, answer) if answer.is_empty() => (Some(*s), format!("HTTP {s}")),
            Attempt::Answered(s, answer) => (Some(*s), format!("HTTP {s}: {answer}")),
            Attempt::Failed(e) | Attempt::Fatal(e) => (None, e.clone()),
        };
        let judged = if row.channel == XAPI {
            lrs_verdict(status, row.attempts)
        } else {
            verdict(status, row.attempts)
        };
        let result = match &attempt {
            Attempt::Fatal(e) => TryResult::Dead {
                status: None,
                error: e,
            },
            _ => match judged {
                Verdict::Delivered => TryResult::Delivered {
                    status: status.unwrap_or(200),
                },
                Verdict::Retry(secs) => TryResult::Retry {
                    status,
                    error: &error,
                    at: Timestamp(now.0 + secs * 1000),
                },
                Verdict::Dead => TryResult::Dead {
                    status,
                    error: &error,
                },
                Verdict::Gone => {
                    if row.channel == WEBHOOK {
                        let why = "the target answered 410 Gone";
                        storage::webhooks::set_enabled(
                            tx.conn(),
                            row.target_id,
                            false,
                            Some(why),
                            now,
                        )
                        .await?;
                        storage::http_outbox::kill_pending(
                            tx.conn(),
                            WEBHOOK,
                            row.target_id,
                            why,
                            now,
                        )
                        .await?;
                        tracing::warn!(
                            subscription = row.target_id,
                            "webhook answered 410: switched off"
                        );
                    }
                    TryResult::Dead {
                        status,
                        error: &error,
                    }
                }
            },
        };
        storage::http_outbox::record(tx.conn(), row.id, &result, now).await?;
        if row.channel == WEBHOOK {
            let ok = matches!(result, TryResult::Delivered { .. });
            storage::webhooks::record_try(
                tx.conn(),
                row.target_id,
                ok,
                (!ok).then_some(error.as_str()),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn send_webhook(&self, state: &AppState, row: &Due) -> Result<Attempt, StorageError> {
        let target = {
            let mut c = state.db.read().await?;
            storage::webhooks::target(c.conn(), row.target_id).await?
        };
        let Some(target) = target.filter(|t| t.enabled) else {
            return Ok(Attempt::Fatal("the subscription is off or deleted".into()));
        };
        let url = match check_target(&target.url, self.allow_private) {
            Ok(u) => u,
            Err(e) => return Ok(Attempt::Fatal(e.to_string())),
        };
        let now = state.now();
        let mut secrets = vec![target.secret.as_str()];
        if let (Some(prev), Some(until)) = (&target.previous_secret, target.previous_until)
            && until > now
        {
            secrets.push(prev);
        }
        let signature = signature_header(&secrets, now.0.div_euclid(1000), row.body.as_bytes());
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header(ID_HEADER, &row.dedupe)
            .header(EVENT_HEADER, &row.event_type)
            .body(row.body.clone())
            .send()
            .await;
        Ok(match sent {
            Ok(r) => Attempt::Answered(r.status().as_u16(), String::new()),
            Err(e) => Attempt::Failed(describe(&e)),
        })
    }

    /// PUTs a statement by its id (idempotent at the LRS); a refusal keeps the LRS's answer.
    async fn send_statement(&self, state: &AppState, row: &Due) -> Result<Attempt, StorageError> {
        let settings: XapiSettings = {
            let mut c = state.db.read().await?;
            app::settings::load(c.conn()).await?
        };
        if !settings.enabled {
            return Ok(Attempt::Fatal("xAPI is switched off".into()));
        }
        let url = match check_target(
            &format!("{}/statements", settings.endpoint.trim_end_matches('/')),
            self.allow_private,
        ) {
            Ok(u) => u,
            Err(e) => return Ok(Attempt::Fatal(e.to_string())),
        };
        let sent = self
            .client
            .put(url)
            .query(&[("statementId", &row.dedupe)])
            .basic_auth(&settings.username, Some(&settings.password))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Experience-API-Version", XAPI_VERSION)
            .body(row.body.clone())
            .send()
            .await;
        Ok(match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                let answer = if r.status().is_client_error() {
                    let text = capped_body(r, ERROR_BODY_BYTES).await;
                    text.chars().take(500).collect()
                } else {
                    String::new()
                };
                Attempt::Answered(status, answer)
            }
            Err(e) => Attempt::Failed(describe(&e)),
        })
    }
}

/// How much of an error answer's body is read (only its start is kept).
const ERROR_BODY_BYTES: usize = 4096;

/// The start of an answer's body, read up to `cap` bytes: a target that answers with an
/// endless body costs no more than that.
async fn capped_body(mut r: reqwest::Response, cap: usize) -> String {
    let mut body = Vec::new();
    while body.len() < cap {
        match r.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(cap - body.len())]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// What one request did.
enum Attempt {
    /// The target answered with this status (and, for a refused statement, its answer).
    Answered(u16, String),
    /// No answer (timeout, refused, TLS, a refused address): tried again.
    Failed(String),
    /// Never to be sent (the subscription is gone, the URL is refused).
    Fatal(String),
}

/// A short, stable account of a failed request for the admin page (details go to the log).
fn describe(e: &reqwest::Error) -> String {
    tracing::debug!(error = ?e, "webhook request failed");
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_request() {
        "request failed"
    } else {
        "failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", detail.chars().take(200).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;
    use std::str::FromStr;

    #[tokio::test]
    async fn names_that_resolve_to_private_addresses_are_refused_at_connect_time() {
        let name = reqwest::dns::Name::from_str("localhost").unwrap();
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err());
    }

    #[tokio::test]
    async fn an_endless_error_answer_is_read_up_to_the_cap() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let head = "HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 1024, "x".repeat(1024));
            // Endless, until the reader hangs up.
            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
        });
        let r = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400);
        let body = tokio::time::timeout(Duration::from_secs(10), capped_body(r, ERROR_BODY_BYTES))
            .await
            .expect("the body is not read to its end");
        assert_eq!(body.len(), ERROR_BODY_BYTES);
    }
}
