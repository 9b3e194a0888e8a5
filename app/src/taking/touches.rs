//! Group commit for the hot path of a running attempt: answers and heartbeats.
//!
//! Saved one transaction each, thousands of people answering at once queue behind SQLite's single
//! writer for five round trips to the database thread per answer (BEGIN, read, insert, update,
//! COMMIT), and a PostgreSQL commit per answer. Here one task takes every touch waiting in the
//! queue and applies them together: one check of the sessions, one read of the attempts, one
//! insert of the answers, one update of the clocks, one commit. The sessions are checked in the
//! same transaction, so a revoked session or a deactivated person is refused at once, as on every
//! other request. Nobody waits for a batch to fill: a batch is whatever queued while the previous
//! one was written.
//!
//! Only the plain case is handled here. No active session, a finished or overdue attempt, someone
//! else's attempt, a malformed answer or a database error hands the touch back to the caller,
//! which runs the ordinary one-request path with its exact refusals (and finishes an overdue
//! attempt).

use super::ClockAck;
use crate::auth::Surface;
use crate::domain::attempt::{AttemptClock, TouchKind, touch};
use crate::domain::clock::Clock;
use crate::domain::user::UserStatus;
use crate::domain::{AttemptId, Timestamp, UserId};
use crate::storage::attempts::{self as store, AttemptLite};
use crate::storage::{Db, StorageResult, sessions};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most touches written in one transaction (bounds the statement's parameter count).
const MAX_BATCH: usize = 64;
/// Touches waiting beyond this make callers wait before queueing (back pressure).
const QUEUE: usize = 8192;

/// What a touch carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sign {
    Heartbeat,
    Answer(Vec<u32>),
    /// Back on the test screen: the clock runs again without counting the time away.
    Resume,
}

impl Sign {
    fn kind(&self) -> TouchKind<'_> {
        match self {
            Sign::Heartbeat => TouchKind::Heartbeat,
            Sign::Answer(a) => TouchKind::Answer(a),
            Sign::Resume => TouchKind::Resume,
        }
    }
}

/// A heartbeat, an answer or a return to the test screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub attempt: AttemptId,
    /// The hash of the Mini App session token the request came with.
    pub session: String,
    pub index: i64,
    pub sign: Sign,
}

type Job = (Touch, oneshot::Sender<Result<ClockAck, Touch>>);

/// The queue of touches and the task that writes them, started on first use.
#[derive(Clone)]
pub struct TouchWriter {
    db: Db,
    clock: Arc<dyn Clock>,
    queue: Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl TouchWriter {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            queue: Arc::new(OnceLock::new()),
        }
    }

    /// Records the touch with others in one transaction. `Err` gives the touch back: the plain
    /// rules did not apply, and the caller must take the ordinary path.
    pub async fn submit(&self, t: Touch) -> Result<ClockAck, Touch> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            // The task owns the database and the clock, not the sender: it ends with the state.
            tokio::spawn(run(self.db.clone(), self.clock.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((t, _))) = queue.send((t.clone(), reply)).await {
            return Err(t);
        }
        answer.await.unwrap_or(Err(t))
    }
}

async fn run(db: Db, clock: Arc<dyn Clock>, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let touches: Vec<Touch> = jobs.iter().map(|(t, _)| t.clone()).collect();
        let outcomes = match write_batch(&db, &touches, clock.now()).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                // Nothing was committed: each touch is retried on its own path.
                tracing::warn!(error = %e, touches = touches.len(), "batched touches failed");
                vec![None; touches.len()]
            }
        };
        for ((t, reply), outcome) in jobs.drain(..).zip(outcomes) {
            // A caller that went away (the client hung up) needs no reply; what was committed
            // stays committed.
            let _ = reply.send(outcome.ok_or(t));
        }
    }
}

/// The running state of one attempt while a batch is applied to it.
struct Running {
    attempt: AttemptLite,
    clock: AttemptClock,
    index: Option<i64>,
}

/// Applies the touches in order in one transaction; `None` for those left to the ordinary path.
async fn write_batch(
    db: &Db,
    touches: &[Touch],
    now: Timestamp,
) -> StorageResult<Vec<Option<ClockAck>>> {
    let mut ids: Vec<AttemptId> = touches.iter().map(|t| t.attempt).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut hashes: Vec<&str> = touches.iter().map(|t| t.session.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let mut tx = db.begin().await?;
    let members: HashMap<String, UserId> =
        sessions::find_active_many(tx.conn(), &hashes, Surface::MiniApp, now)
            .await?
            .into_iter()
            .filter(|(_, _, status)| *status == UserStatus::Active)
            .map(|(hash, user, _)| (hash, user))
            .collect();
    let mut running: HashMap<AttemptId, Running> = store::get_many_for_update(tx.conn(), &ids)
        .await?
        .into_iter()
        .map(|a| {
            let clock = a.clock();
            let r = Running {
                attempt: a,
                clock,
                index: None,
            };
            (r.attempt.id, r)
        })
        .collect();
    // The last answer to each question wins, as if the touches had been saved one by one.
    let mut answers: BTreeMap<(AttemptId, i64), &[u32]> = BTreeMap::new();
    let outcomes = touches
        .iter()
        .map(|t| {
            let user = members.get(&t.session)?;
            let r = running
                .get_mut(&t.attempt)
                .filter(|r| r.attempt.user_id == *user)?;
            let mut clock = r.clock;
            let index = touch(
                &mut clock,
                r.attempt.running(),
                &r.attempt.shapes,
                t.index,
                t.sign.kind(),
                now,
            )
            .ok()?;
            r.clock = clock;
            r.index = Some(index);
            if let Sign::Answer(answer) = &t.sign {
                answers.insert((t.attempt, index), answer);
            }
            Some(ClockAck {
                remaining_ms: clock.remaining(now),
                finished: None,
            })
        })
        .collect();
    let answers: Vec<(AttemptId, i64, &[u32])> = answers
        .into_iter()
        .map(|((a, i), ans)| (a, i, ans))
        .collect();
    let clocks: Vec<(AttemptId, AttemptClock, i64)> = running
        .values()
        .filter_map(|r| r.index.map(|i| (r.attempt.id, r.clock, i)))
        .collect();
    store::save_answers(tx.conn(), &answers, now).await?;
    store::save_clocks(tx.conn(), &clocks, now).await?;
    tx.commit().await?;
    Ok(outcomes)
}
