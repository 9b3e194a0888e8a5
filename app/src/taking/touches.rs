//! Group commit for the hot path of a running attempt: answers and heartbeats.
//!
//! Saved one transaction each, thousands of people answering at once queue behind SQLite's single
//! writer for five round trips to the database thread per answer (BEGIN, read, insert, update,
//! COMMIT), and a PostgreSQL commit per answer. Here one task takes every touch waiting in the
//! queue and applies them together: one check of the sessions, one read of the attempts, one
//! insert of the answers, one update of the clocks, one commit. The sessions are checked in the
//! same transaction, so a revoked session or a deactivated person is refused at once, as on every
//! other request (the queue and its task are `crate::group_commit`).
//!
//! Only the plain case is handled here. No active session, a finished or overdue attempt, someone
//! else's attempt, a malformed answer or a database error hands the touch back to the caller,
//! which runs the ordinary one-request path with its exact refusals (and finishes an overdue
//! attempt).

use crate::domain::actor::Surface;
use crate::domain::attempt::{AttemptClock, Shown, TouchKind, Touched, reveal, touch};
use crate::domain::clock::Clock;
use crate::domain::user::UserStatus;
use crate::domain::{AttemptId, Timestamp, UserId};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::model::taking::ClockAck;
use crate::storage::attempts::{self as store, AttemptLite, NewEvent, session_label};
use crate::storage::{Db, StorageResult, sessions};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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

/// Touches written in batches: `submit` gives a touch back when the plain rules did not apply,
/// and the caller then takes the ordinary path.
pub type TouchWriter = GroupCommit<Touches>;

pub fn touch_writer(db: Db, clock: Arc<dyn Clock>) -> TouchWriter {
    GroupCommit::new(Touches { db, clock })
}

pub struct Touches {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl BatchWrite for Touches {
    type Job = Touch;
    type Done = ClockAck;
    const MAX_BATCH: usize = 64;

    fn db(&self) -> &Db {
        &self.db
    }

    /// One attempt's touches are written in the order they came.
    fn key(touch: &Touch) -> u64 {
        touch.attempt.0 as u64
    }

    async fn write(&self, touches: &[Touch]) -> Vec<Option<ClockAck>> {
        write_batch(&self.db, touches, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Nothing was committed: each touch is retried on its own path.
                tracing::warn!(error = %e, touches = touches.len(), "batched touches failed");
                vec![None; touches.len()]
            })
    }
}

/// The running state of one attempt while a batch is applied to it.
struct Running {
    attempt: AttemptLite,
    clock: AttemptClock,
    index: Option<i64>,
    shown: Option<Shown>,
    shown_changed: bool,
}

/// What a touch adds to an attempt's integrity record (the return from a time away, the
/// question revealed, the answer), revealing the question in `shown`. The batch and the
/// one-request path both record through it.
pub(crate) fn record(
    attempt: AttemptId,
    shown: &mut Option<Shown>,
    touched: &Touched,
    answered: bool,
    session: &Option<String>,
    now: Timestamp,
) -> (Vec<NewEvent>, bool) {
    let event = |kind, question_index, away_ms| NewEvent {
        attempt,
        kind,
        question_index,
        away_ms,
        session: session.clone(),
    };
    let mut events = Vec::new();
    if let Some(away) = touched.returned {
        events.push(event("returned", None, Some(away.ms)));
    }
    let revealed = shown
        .as_mut()
        .is_some_and(|s| reveal(s, touched.index, now));
    if revealed {
        events.push(event("shown", Some(touched.index), None));
    }
    if answered {
        events.push(event("answer", Some(touched.index), None));
    }
    (events, revealed)
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
            .filter(|s| s.status == UserStatus::Active)
            .map(|s| (s.token_hash, s.user_id))
            .collect();
    let mut running: HashMap<AttemptId, Running> = store::get_many_for_update(tx.conn(), &ids)
        .await?
        .into_iter()
        .map(|a| {
            let clock = a.clock();
            let shown = a.shown();
            let r = Running {
                attempt: a,
                clock,
                index: None,
                shown,
                shown_changed: false,
            };
            (r.attempt.id, r)
        })
        .collect();
    // The last answer to each question wins, as if the touches had been saved one by one.
    let mut answers: BTreeMap<(AttemptId, i64), &[u32]> = BTreeMap::new();
    let mut events: Vec<NewEvent> = Vec::new();
    let outcomes = touches
        .iter()
        .map(|t| {
            let user = members.get(&t.session)?;
            let r = running
                .get_mut(&t.attempt)
                .filter(|r| r.attempt.user_id == *user)?;
            let mut clock = r.clock;
            let touched = touch(
                &mut clock,
                r.attempt.running(),
                &r.attempt.shapes,
                t.index,
                t.sign.kind(),
                now,
            )
            .ok()?;
            let index = touched.index;
            r.clock = clock;
            r.index = Some(index);
            let answered = matches!(t.sign, Sign::Answer(_));
            let session = Some(session_label(&t.session));
            let (recorded, revealed) =
                record(t.attempt, &mut r.shown, &touched, answered, &session, now);
            r.shown_changed |= revealed;
            events.extend(recorded);
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
    let clocks: Vec<(AttemptId, AttemptClock, i64, Option<String>)> = running
        .values()
        .filter_map(|r| {
            let shown = r
                .shown
                .as_ref()
                .filter(|_| r.shown_changed)
                .and_then(|s| serde_json::to_string(s).ok());
            r.index.map(|i| (r.attempt.id, r.clock, i, shown))
        })
        .collect();
    store::save_answers(tx.conn(), &answers, now).await?;
    store::record_events(tx.conn(), &events, now).await?;
    store::save_clocks(tx.conn(), &clocks, now).await?;
    tx.commit().await?;
    Ok(outcomes)
}
