//! Group commit: callers queue jobs, and one task writes whatever queued meanwhile in one
//! transaction. Thousands of writes at once then cost a few statements and one commit per batch
//! instead of a transaction each behind SQLite's single writer (or a PostgreSQL commit each).
//! Nobody waits for a batch to fill: a batch is whatever queued while the previous one was
//! written. Used by answers and heartbeats (`taking::touches`), starts (`taking::starts`),
//! theory pages shown (`taking::shown`) and Mini App launches (`auth::launches`); a start wave's
//! reads are batched the same way (`taking::start_reads`).
//!
//! On SQLite one task writes (one writer anyway). On PostgreSQL, where transactions run side
//! by side, the jobs are split by their [`BatchWrite::key`] over [`PG_LANES`] queues, each with
//! its own task: batches of different keys commit in parallel, while the jobs of one key (one
//! attempt's touches) stay in one queue and are written in the order they came.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// Jobs waiting beyond this make callers wait before queueing (back pressure).
const QUEUE: usize = 8192;
/// Queues (and writing tasks) per kind of job on PostgreSQL, unless the kind says otherwise.
pub const PG_LANES: usize = 4;

/// How one kind of job is written in batches.
pub trait BatchWrite: Send + Sync + 'static {
    type Job: Clone + Send + 'static;
    type Done: Send + 'static;
    /// The most jobs written together (bounds a statement's parameter count).
    const MAX_BATCH: usize;
    /// The database the batches go to (their task runs where its writes run best).
    fn db(&self) -> &crate::storage::Db;
    /// Writes the jobs in one transaction; `None` for a job it leaves to the caller's ordinary
    /// path (the plain case did not apply, or the batch failed and nothing was committed). The
    /// result has one entry per job, in order.
    fn write(&self, jobs: &[Self::Job]) -> impl Future<Output = Vec<Option<Self::Done>>> + Send;
    /// Queues (and writing tasks) of this kind on PostgreSQL.
    const PG_QUEUES: usize = PG_LANES;
    /// A kind that only reads (a batch of reads done for many requests at once): its tasks run
    /// on the server's runtime, [`Self::PG_QUEUES`] of them on either backend, never on
    /// SQLite's writer lane.
    const READ_ONLY: bool = false;
    /// Jobs with the same key are written in the order they were submitted (they go to one
    /// queue); jobs of different keys may be written by batches in parallel. By default every
    /// job has the same key.
    fn key(_job: &Self::Job) -> u64 {
        0
    }
}

type Queued<W> = (
    <W as BatchWrite>::Job,
    oneshot::Sender<Result<<W as BatchWrite>::Done, <W as BatchWrite>::Job>>,
    // When it was submitted (for the figures).
    std::time::Instant,
);

/// The queue of one kind of job and the task that writes it, started on first use.
pub struct GroupCommit<W: BatchWrite> {
    writer: Arc<W>,
    queues: Arc<OnceLock<Vec<mpsc::Sender<Queued<W>>>>>,
    /// Jobs written by batches so far (not those handed back).
    written: Arc<AtomicU64>,
}

impl<W: BatchWrite> Clone for GroupCommit<W> {
    fn clone(&self) -> Self {
        Self {
            writer: self.writer.clone(),
            queues: self.queues.clone(),
            written: self.written.clone(),
        }
    }
}

impl<W: BatchWrite> GroupCommit<W> {
    pub fn new(writer: W) -> Self {
        Self {
            writer: Arc::new(writer),
            queues: Arc::new(OnceLock::new()),
            written: Arc::default(),
        }
    }

    /// How many jobs batches have written since start (the rest went the ordinary way).
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Writes the job with others. `Err` gives the job back: the caller takes its ordinary path.
    pub async fn submit(&self, job: W::Job) -> Result<W::Done, W::Job> {
        let queues = self.queues.get_or_init(|| {
            let lanes = match self.writer.db().backend() {
                crate::storage::Backend::Sqlite if !W::READ_ONLY => 1,
                _ => W::PG_QUEUES,
            };
            (0..lanes)
                .map(|_| {
                    let (tx, rx) = mpsc::channel(QUEUE);
                    // The task owns the writer, not the sender: it ends when the last handle
                    // is dropped.
                    let task = run(self.writer.clone(), self.written.clone(), rx);
                    if W::READ_ONLY {
                        drop(tokio::spawn(task));
                    } else {
                        self.writer.db().spawn_writer(task);
                    }
                    tx
                })
                .collect()
        });
        let queue = &queues[(W::key(&job) % queues.len() as u64) as usize];
        let (reply, answer) = oneshot::channel();
        // A copy comes back if the task ends without replying (it panicked, or the runtime is
        // shutting down).
        let copy = job.clone();
        let queued = (job, reply, std::time::Instant::now());
        if let Err(mpsc::error::SendError((job, _, _))) = queue.send(queued).await {
            return Err(job);
        }
        answer.await.unwrap_or(Err(copy))
    }
}

async fn run<W: BatchWrite>(
    writer: Arc<W>,
    written: Arc<AtomicU64>,
    mut rx: mpsc::Receiver<Queued<W>>,
) {
    let kind = std::any::type_name::<W>()
        .rsplit("::")
        .next()
        .unwrap_or_default();
    let mut queued = Vec::with_capacity(W::MAX_BATCH);
    while rx.recv_many(&mut queued, W::MAX_BATCH).await > 0 {
        let mut submitted = Vec::with_capacity(queued.len());
        let (jobs, replies): (Vec<W::Job>, Vec<_>) = queued
            .drain(..)
            .map(|(job, reply, at)| {
                submitted.push(at);
                (job, reply)
            })
            .unzip();
        let outcomes = writer.write(&jobs).await;
        crate::storage::write_stats::record_batch(kind, submitted.iter().map(|t| t.elapsed()));
        debug_assert_eq!(outcomes.len(), jobs.len());
        let done = outcomes.iter().filter(|o| o.is_some()).count();
        written.fetch_add(done as u64, Ordering::Relaxed);
        for ((job, reply), outcome) in jobs.into_iter().zip(replies).zip(outcomes) {
            // A caller that went away (the client hung up) needs no reply; what was committed
            // stays committed.
            let _ = reply.send(outcome.ok_or(job));
        }
    }
}
