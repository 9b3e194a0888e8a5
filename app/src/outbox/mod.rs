//! Consumers of the domain-event outbox.
//!
//! Each consumer (gamification, notifications, the Telegram audit feed, webhooks…) lives in its
//! own feature folder and implements [`Consumer`]; [`run`] is the one loop that applies new
//! events to it: in order, below the safe horizon (`storage::horizon`), in one transaction that
//! also advances the consumer's cursor, so each event takes effect once even with several
//! instances. An event whose handler fails is retried at the next runs and, after
//! [`MAX_FAILURES`], parked with its error: one poison event never stalls a consumer.

use crate::domain::EventId;
use crate::domain::events::DomainEvent;
use crate::state::AppState;
use crate::storage::events::{self as store, StoredEvent};
use crate::storage::{Conn, StorageError};
use futures::future::BoxFuture;

/// Which event a consumer is handling, and when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMeta {
    pub id: EventId,
    pub occurred_at: crate::domain::Timestamp,
}

/// Failures after which an event is parked and the consumer moves on.
pub const MAX_FAILURES: i64 = 3;
/// Events applied per transaction.
const BATCH: i64 = 200;

/// What a consumer read once for all the events of one batch (its settings, who is told),
/// kept for that batch's transaction only; each consumer keeps a type of its own in it.
#[derive(Default)]
pub struct BatchMemo(Option<Box<dyn std::any::Any + Send>>);

impl BatchMemo {
    /// The consumer's memo, empty at the start of a batch.
    pub fn get<T: Default + Send + 'static>(&mut self) -> &mut T {
        if !self.0.as_ref().is_some_and(|m| m.is::<T>()) {
            self.0 = Some(Box::new(T::default()));
        }
        self.0
            .as_mut()
            .and_then(|m| m.downcast_mut())
            .expect("set just above")
    }
}

/// A reaction to domain events, applied inside the consumer's transaction.
pub trait Consumer: Send + Sync {
    /// The cursor's name; never change it for an existing consumer.
    fn name(&self) -> &'static str;

    /// Applies one event (written at `meta.occurred_at`). Effects are written through `c`, so
    /// they commit with the cursor.
    fn handle<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>>;

    /// [`Self::handle`] with a memo that lasts the batch: what a consumer reads the same for
    /// every event (its settings, who is told) is read once per batch, not once an event.
    fn handle_in_batch<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
        _memo: &'a mut BatchMemo,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        self.handle(state, c, meta, event)
    }

    /// The event kinds it reacts to (`DomainEvent::kind`), when it ignores the others: those
    /// are passed over in SQL, without a savepoint or a call each. `None`: every kind. Keep it
    /// in step with `handle`'s match (the consumer's tests send each kind it handles).
    fn kinds(&self) -> Option<&'static [&'static str]> {
        None
    }

    /// Whether the consumer acts at all, read once per batch: one switched off (xAPI off, no
    /// webhook subscription) passes over the whole batch, as its `handle` would have event by
    /// event, without a savepoint and a settings read for each.
    fn switched_on<'a>(&'a self, _c: Conn<'a>) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async { Ok(true) })
    }

    /// A consumer whose reaction to any number of events is one write (the cache versions'
    /// bump) returns it here, and the batch is applied at once instead of event by event: no
    /// savepoint each, and a failure fails the run, which is retried (nothing is parked).
    /// `None`: event by event through `handle`.
    fn handle_batch<'a>(
        &'a self,
        _c: Conn<'a>,
        _events: &'a [StoredEvent],
    ) -> Option<BoxFuture<'a, Result<(), StorageError>>> {
        None
    }
}

/// Whether an error says more about the database connection than about the event: then the
/// whole run stops and is retried, and nothing counts against the event. (A fenced run
/// belongs to a leader that was replaced: the new one applies the event.)
fn is_transient(e: &StorageError) -> bool {
    matches!(
        e,
        StorageError::Busy
            | StorageError::Fenced { .. }
            | StorageError::Sqlx(
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            )
    )
}

/// Applies the events after the consumer's cursor, batch by batch, until none is left (or
/// `max_batches` were applied). Returns how many events were applied or parked.
pub async fn run(
    state: &AppState,
    consumer: &dyn Consumer,
    max_batches: usize,
) -> Result<usize, StorageError> {
    run_batches(state, consumer, max_batches, Wait::Yes).await
}

/// Like [`run`], but returns at once when another run of this consumer holds its cursor (on
/// PostgreSQL), instead of queueing behind it: for requests that only want to hurry the
/// consumer along, which the job does anyway.
pub async fn run_unless_busy(
    state: &AppState,
    consumer: &dyn Consumer,
    max_batches: usize,
) -> Result<usize, StorageError> {
    run_batches(state, consumer, max_batches, Wait::No).await
}

#[derive(Clone, Copy, PartialEq)]
enum Wait {
    Yes,
    No,
}

async fn run_batches(
    state: &AppState,
    consumer: &dyn Consumer,
    max_batches: usize,
    wait: Wait,
) -> Result<usize, StorageError> {
    let mut total = 0;
    for _ in 0..max_batches {
        let (applied, more) = run_batch(state, consumer, wait).await?;
        total += applied;
        if !more {
            break;
        }
    }
    Ok(total)
}

/// One transaction: returns the events handled and whether a full batch was read.
async fn run_batch(
    state: &AppState,
    consumer: &dyn Consumer,
    wait: Wait,
) -> Result<(usize, bool), StorageError> {
    let now = state.now();
    let name = consumer.name();
    let mut tx = state.db.begin().await?;
    tx.tag(name);
    let cursor = match wait {
        Wait::Yes => store::cursor_for_update(tx.conn(), name, now).await?,
        Wait::No => match store::cursor_unless_busy(tx.conn(), name, now).await? {
            Some(cursor) => cursor,
            None => return Ok((0, false)),
        },
    };
    let store::After { events, reach } =
        store::after(tx.conn(), cursor, BATCH, consumer.kinds()).await?;
    let full = events.len() as i64 == BATCH;
    // Passed over or applied as a whole: the cursor moves past the batch in one step.
    let at_once = match events.last() {
        None => Some(0),
        Some(_) if !consumer.switched_on(tx.conn()).await? => Some(events.len()),
        Some(_) => match consumer.handle_batch(tx.conn(), &events) {
            Some(apply) => Some(apply.await.map(|()| events.len())?),
            None => None,
        },
    };
    if let Some(handled) = at_once {
        let at = reach.max(events.last().map(|e| e.position));
        if let Some(at) = at.filter(|at| *at > cursor) {
            store::set_cursor(tx.conn(), name, at, now).await?;
        }
        tx.commit().await?;
        return Ok((handled, full));
    }
    let mut at = cursor;
    let mut handled = 0;
    let mut memo = BatchMemo::default();
    for StoredEvent {
        position,
        id,
        occurred_at,
        event,
    } in &events
    {
        let meta = EventMeta {
            id: *id,
            occurred_at: *occurred_at,
        };
        store::savepoint(tx.conn(), "SAVEPOINT outbox_event").await?;
        let outcome = match event {
            Ok(event) => {
                consumer
                    .handle_in_batch(state, tx.conn(), meta, event, &mut memo)
                    .await
            }
            Err(parse) => Err(StorageError::Corrupt(format!("payload: {parse}"))),
        };
        match outcome {
            Ok(()) => {
                store::savepoint(tx.conn(), "RELEASE SAVEPOINT outbox_event").await?;
            }
            Err(e) if is_transient(&e) => return Err(e),
            Err(e) => {
                store::savepoint(tx.conn(), "ROLLBACK TO SAVEPOINT outbox_event").await?;
                let before = store::failures_of(tx.conn(), name, *id).await?;
                let park = before + 1 >= MAX_FAILURES;
                store::record_failure(tx.conn(), name, *id, &e.to_string(), park, now).await?;
                if !park {
                    tracing::warn!(consumer = name, event = %id, error = %e, "event failed, will retry");
                    // The failure is counted; the event is tried again at the next run.
                    if at != cursor {
                        store::set_cursor(tx.conn(), name, at, now).await?;
                    }
                    tx.commit().await?;
                    return Ok((handled, false));
                }
                tracing::error!(consumer = name, event = %id, error = %e, "event parked after repeated failures");
            }
        }
        at = *position;
        handled += 1;
    }
    // Past the kinds it does not take, too.
    if let Some(reach) = reach
        && reach > at
    {
        at = reach;
    }
    if at != cursor {
        store::set_cursor(tx.conn(), name, at, now).await?;
    }
    tx.commit().await?;
    Ok((handled, full))
}
