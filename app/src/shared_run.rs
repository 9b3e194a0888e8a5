//! A job that many requests want run after their own write, shared between them.
//!
//! A finished attempt applies the new domain events at once (points, badges, the cache
//! versions), so the person's next page shows them. When thousands finish together, one
//! transaction per request each applied the one or two events its request wrote, and those
//! transactions kept SQLite's single writer busy more than the finishes themselves. Here the
//! requests share runs: a run never overlaps another, and whoever asks while one is under way
//! waits for the next one, which starts after their write and applies everything written by
//! then in a few batches.

use futures::future::BoxFuture;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The runs of one job; see the module's text.
pub struct SharedRun {
    runs: Mutex<Runs>,
    /// The number of the last request whose run has ended.
    done: watch::Sender<u64>,
}

#[derive(Default)]
struct Runs {
    /// Requests so far, numbered from 1.
    asked: u64,
    running: bool,
}

impl Default for SharedRun {
    fn default() -> Self {
        Self {
            runs: Mutex::default(),
            done: watch::Sender::new(0),
        }
    }
}

impl SharedRun {
    /// Returns once a run of `job` that started after this call has ended. When no run is
    /// under way, `spawn` starts the task that runs `job` (for as long as requests keep
    /// coming); the job must be the same for every caller.
    pub async fn after_now<J, F>(
        self: &Arc<Self>,
        spawn: impl FnOnce(BoxFuture<'static, ()>),
        job: J,
    ) where
        J: Fn() -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let mut done = self.done.subscribe();
        let (ticket, start) = {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            runs.asked += 1;
            let start = !runs.running;
            runs.running = true;
            (runs.asked, start)
        };
        if start {
            let me = self.clone();
            spawn(Box::pin(async move { me.drive(job).await }));
        }
        // Ended without a reply only if the sender is gone (then nothing more will run).
        let _ = done.wait_for(|d| *d >= ticket).await;
    }

    async fn drive<J, F>(&self, job: J)
    where
        J: Fn() -> F,
        F: Future<Output = ()>,
    {
        loop {
            let target = self.runs.lock().unwrap_or_else(|e| e.into_inner()).asked;
            let mut end = EndOfRun {
                run: self,
                target,
                ended: false,
            };
            job().await;
            let more = {
                let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
                let more = runs.asked > target;
                runs.running = more;
                more
            };
            end.ended = true;
            drop(end);
            if !more {
                return;
            }
        }
    }
}

/// Releases a run's waiters however it ends (a panic, a runtime shutting down): they go on,
/// and the next request starts a new run.
struct EndOfRun<'a> {
    run: &'a SharedRun,
    target: u64,
    /// The job returned (otherwise it panicked or was dropped half-way).
    ended: bool,
}

impl Drop for EndOfRun<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.run
                .runs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .running = false;
        }
        self.run.done.send_modify(|d| *d = (*d).max(self.target));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    /// Callers arriving while a run is under way share the next one, and each returns only
    /// after a run that started after its call.
    #[tokio::test]
    async fn callers_share_runs_that_start_after_them() {
        let run = Arc::new(SharedRun::default());
        let runs = Arc::new(AtomicU64::new(0));
        let seen = Arc::new(AtomicU64::new(0));
        let written = Arc::new(AtomicU64::new(0));
        let callers = (0..50).map(|_| {
            let (run, runs, seen, written) =
                (run.clone(), runs.clone(), seen.clone(), written.clone());
            tokio::spawn(async move {
                // The caller's own write, then it asks.
                let mine = written.fetch_add(1, Ordering::SeqCst) + 1;
                let (r, s, w) = (runs.clone(), seen.clone(), written.clone());
                run.after_now(
                    |f| drop(tokio::spawn(f)),
                    move || {
                        let (r, s, w) = (r.clone(), s.clone(), w.clone());
                        async move {
                            r.fetch_add(1, Ordering::SeqCst);
                            s.fetch_max(w.load(Ordering::SeqCst), Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    },
                )
                .await;
                assert!(seen.load(Ordering::SeqCst) >= mine, "a run saw my write");
            })
        });
        for c in futures::future::join_all(callers).await {
            c.unwrap();
        }
        let n = runs.load(Ordering::SeqCst);
        assert!((1..50).contains(&n), "50 callers shared {n} runs");
    }

    /// A run that panics releases its waiters, and the next caller starts a new run.
    #[tokio::test]
    async fn a_panicking_run_releases_its_waiters() {
        let run = Arc::new(SharedRun::default());
        let spawn = |f| drop(tokio::spawn(f));
        let waited = tokio::time::timeout(
            Duration::from_secs(5),
            run.after_now(spawn, || async { panic!("the job failed") }),
        )
        .await;
        assert!(waited.is_ok(), "the waiter was released");
        let ran = Arc::new(AtomicU64::new(0));
        let r = ran.clone();
        run.after_now(spawn, move || {
            let r = r.clone();
            async move {
                r.fetch_add(1, Ordering::SeqCst);
            }
        })
        .await;
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
