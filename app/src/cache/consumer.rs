//! Bumps the `results` scope once the events of a change are applied. Taking tests writes far
//! too often for a version row in every finishing transaction (they would queue on its lock);
//! instead this consumer bumps it once in the transaction that applies a batch of events. What the
//! change wrote is already committed then, so the next read after the bump is fresh. Values
//! read from results are behind by at most the time until the consumer runs. That is usually
//! at once, because the request that finished an attempt runs it. Otherwise it is the next
//! job tick: when another run holds the cursor, or when an older transaction still writing
//! keeps the events below the safe horizon.

use crate::domain::events::DomainEvent;
use crate::outbox::{Consumer, EventMeta};
use crate::state::AppState;
use crate::storage::events::StoredEvent;
use crate::storage::{Conn, StorageError};
use futures::future::BoxFuture;

pub struct CacheVersions;

impl Consumer for CacheVersions {
    fn name(&self) -> &'static str {
        "cache_versions"
    }

    fn handle<'a>(
        &'a self,
        _state: &'a AppState,
        c: Conn<'a>,
        _meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            if changes_results(event) {
                crate::storage::cache_versions::bump(c, super::Scope::Results.as_str()).await?;
            }
            Ok(())
        })
    }

    /// One bump for the whole batch: a version is read as a whole, so one bump after many
    /// changes makes the next read as fresh as one bump after each.
    fn handle_batch<'a>(
        &'a self,
        c: Conn<'a>,
        events: &'a [StoredEvent],
    ) -> Option<BoxFuture<'a, Result<(), StorageError>>> {
        Some(Box::pin(async move {
            if events
                .iter()
                .any(|e| e.event.as_ref().map_or(true, changes_results))
            {
                crate::storage::cache_versions::bump(c, super::Scope::Results.as_str()).await?;
            }
            Ok(())
        }))
    }
}

/// Every event but the people ones changes something read from results; people's changes bump
/// `content` through the users triggers. Bumping once more than needed (an event that no longer
/// parses, too) costs a miss, never a stale read.
fn changes_results(event: &DomainEvent) -> bool {
    !matches!(
        event,
        DomainEvent::UserRegistered { .. } | DomainEvent::UserEdited { .. }
    )
}

/// Applies the new events now, so the request that wrote them is usually followed by fresh
/// reads. It never queues behind another run (at the end of a synchronized exam thousands of
/// requests finish at once): the running one or the job's next tick applies the rest. A
/// failure is caught up by the job.
pub async fn catch_up(state: &AppState) {
    if let Err(e) = crate::outbox::run_unless_busy(state, &CacheVersions, 10).await {
        tracing::warn!(error = %e, "cache versions will catch up at the next tick");
    }
}
