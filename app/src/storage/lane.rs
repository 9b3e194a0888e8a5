//! SQLite's writer lane: a thread of its own with a one-thread runtime, where the write paths
//! run (the group commits' tasks, the background jobs, the requests that write most).
//!
//! sqlx answers each SQLite statement from the connection's own thread; on the server's
//! runtime that wake-up waits in the shared queue behind every request in progress, and the
//! launch batch of a sign-in wave waited there between its statements. On the lane nothing else
//! is queued. Measured (`docs/PERFORMANCE.md`, "The writer lane"): 5,000 sign-ins went from
//! 0.06 to 0.35–0.64 × `/healthz`'s rate, though a transaction's hold did not shrink.
//! PostgreSQL's writes do not share one writer and stay where they are.

use std::future::Future;
use std::sync::OnceLock;
use tokio::runtime::Handle;

static LANE: OnceLock<Option<Handle>> = OnceLock::new();

/// The lane's runtime, started on first use; `None` when `ATTEST_WRITER_LANE=off` (to
/// measure without it).
fn lane() -> Option<&'static Handle> {
    LANE.get_or_init(|| {
        if std::env::var("ATTEST_WRITER_LANE").is_ok_and(|v| v == "off") {
            return None;
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("sqlite-writer-lane")
            .build()
            .expect("the writer lane's runtime");
        let handle = rt.handle().clone();
        std::thread::Builder::new()
            .name("sqlite-writer-lane".into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .expect("the writer lane's thread");
        Some(handle)
    })
    .as_ref()
}

/// Runs `job` on the lane and waits for it. It runs to its end even if the caller goes away
/// (a transaction is committed or rolled back, never left half-way).
pub async fn run<F>(job: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match lane() {
        Some(h) => match h.spawn(job).await {
            Ok(out) => out,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        },
        None => job.await,
    }
}

/// Starts a long-running writer task (a group commit's) on the lane.
pub fn spawn<F>(task: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    match lane() {
        Some(h) => drop(h.spawn(task)),
        None => drop(tokio::spawn(task)),
    }
}
