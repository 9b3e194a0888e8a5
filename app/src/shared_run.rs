//! A job that many requests want run after their own write, shared between them.
//!
//! A finished attempt applies the new domain events at once (points, badges, the cache
//! versions), so the person's next page shows them. When thousands finish together, one
//! transaction per request each applied the one or two events its request wrote, and those
//! transactions kept SQLite's single writer busy more than the finishes themselves. Here the
//! requests share runs: a run never overlaps another; a request that finds none under way
//! starts one and waits for it; a request that finds one under way returns at once, and the
//! runner goes round once more, after it, for everything written meanwhile (as PostgreSQL's
//! consumers did before: never queue behind a run in progress).

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
    /// Makes sure a run of `job` starts after this call. With no run under way, `spawn` starts
    /// the task that runs `job` and this waits for the run to end; with one under way it
    /// returns at once (the task runs `job` once more after it). The job must be the same for
    /// every caller.
    pub async fn hurry<J, F>(self: &Arc<Self>, spawn: impl FnOnce(BoxFuture<'static, ()>), job: J)
    where
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
        if !start {
            return;
        }
        let me = self.clone();
        spawn(Box::pin(async move { me.drive(job).await }));
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
    use tokio::sync::Semaphore;

    fn spawn(f: BoxFuture<'static, ()>) {
        drop(tokio::spawn(f));
    }

    /// A job that counts its runs, notes the writes it saw and waits for `gate` each time.
    struct Probe {
        runs: AtomicU64,
        seen: AtomicU64,
        written: AtomicU64,
        gate: Semaphore,
    }

    /// A probe whose gate is shut, one write seen so far.
    fn probe() -> Arc<Probe> {
        Arc::new(Probe {
            runs: AtomicU64::new(0),
            seen: AtomicU64::new(0),
            written: AtomicU64::new(1),
            gate: Semaphore::new(0),
        })
    }

    fn job(p: &Arc<Probe>) -> impl Fn() -> BoxFuture<'static, ()> + Send + 'static {
        let p = p.clone();
        move || {
            let p = p.clone();
            Box::pin(async move {
                p.runs.fetch_add(1, Ordering::SeqCst);
                p.seen
                    .store(p.written.load(Ordering::SeqCst), Ordering::SeqCst);
                p.gate.acquire().await.expect("open gate").forget();
            })
        }
    }

    /// With no run under way the caller waits for its own; callers during a run return at
    /// once, and one more run covers all of them.
    #[tokio::test]
    async fn callers_during_a_run_share_the_next_one() {
        let run = Arc::new(SharedRun::default());
        let p = probe();
        let first = tokio::spawn({
            let (run, p) = (run.clone(), p.clone());
            async move { run.hurry(spawn, job(&p)).await }
        });
        while p.runs.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(!first.is_finished(), "the first caller waits for its run");
        for _ in 0..10 {
            p.written.fetch_add(1, Ordering::SeqCst);
            let asked = tokio::time::timeout(Duration::from_secs(5), run.hurry(spawn, job(&p)));
            assert!(asked.await.is_ok(), "a caller during a run returns at once");
        }
        p.gate.add_permits(2);
        first.await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), async {
            while p.runs.load(Ordering::SeqCst) < 2 || p.gate.available_permits() > 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the second run ends");
        assert_eq!(
            p.runs.load(Ordering::SeqCst),
            2,
            "ten callers, one more run"
        );
        assert_eq!(p.seen.load(Ordering::SeqCst), 11, "it saw every write");
    }

    /// A caller who stops waiting (a bounded wait) leaves its run going: the run ends, covers
    /// the callers who came meanwhile, and the next caller starts a new one.
    #[tokio::test]
    async fn a_caller_who_stops_waiting_leaves_the_run_going() {
        let run = Arc::new(SharedRun::default());
        let p = probe();
        let waited =
            tokio::time::timeout(Duration::from_millis(50), run.hurry(spawn, job(&p))).await;
        assert!(waited.is_err(), "the run is held at its gate");
        assert_eq!(p.runs.load(Ordering::SeqCst), 1);
        p.written.fetch_add(1, Ordering::SeqCst);
        let asked = tokio::time::timeout(Duration::from_secs(5), run.hurry(spawn, job(&p)));
        assert!(
            asked.await.is_ok(),
            "the run is still under way: return at once"
        );
        p.gate.add_permits(2);
        tokio::time::timeout(Duration::from_secs(5), async {
            while p.runs.load(Ordering::SeqCst) < 2 || p.gate.available_permits() > 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the run went round once more for the caller who came meanwhile");
        assert_eq!(p.seen.load(Ordering::SeqCst), 2, "it saw the later write");
        p.gate.add_permits(1);
        let third = tokio::time::timeout(Duration::from_secs(5), run.hurry(spawn, job(&p)));
        assert!(third.await.is_ok(), "the next caller is served");
        tokio::time::timeout(Duration::from_secs(5), async {
            while p.runs.load(Ordering::SeqCst) < 3 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("a third run");
    }

    /// A run that panics releases its waiters, and the next caller starts a new run.
    #[tokio::test]
    async fn a_panicking_run_releases_its_waiters() {
        let run = Arc::new(SharedRun::default());
        let waited = tokio::time::timeout(
            Duration::from_secs(5),
            run.hurry(spawn, || async { panic!("the job failed") }),
        )
        .await;
        assert!(waited.is_ok(), "the waiter was released");
        let ran = Arc::new(AtomicU64::new(0));
        let r = ran.clone();
        run.hurry(spawn, move || {
            let r = r.clone();
            async move {
                r.fetch_add(1, Ordering::SeqCst);
            }
        })
        .await;
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
