//! Gamification as a consumer of domain events: a finished attempt pays the certification's
//! points on a first pass and may complete badges. Idempotent (source keys), like every payment.

use crate::domain::events::DomainEvent;
use crate::outbox::{Consumer, EventMeta};
use crate::state::AppState;
use crate::storage::{Conn, StorageError};
use futures::future::BoxFuture;

pub struct Gamification;

impl Consumer for Gamification {
    fn name(&self) -> &'static str {
        "gamification"
    }

    fn kinds(&self) -> Option<&'static [&'static str]> {
        Some(&["attempt_finished"])
    }

    fn handle<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            match event {
                DomainEvent::AttemptFinished {
                    user_id,
                    certification_id,
                    first_pass,
                    ..
                } => {
                    super::service::apply_attempt_finished(
                        state,
                        c,
                        meta.id,
                        *user_id,
                        *certification_id,
                        *first_pass,
                    )
                    .await
                }
                _ => Ok(()),
            }
        })
    }
}

/// Applies the outbox's new events (points for a first pass, badges after attempts) now,
/// instead of at the next job tick, unless another run holds the consumer's cursor: a
/// finishing request never queues behind it (at the end of a synchronized exam every finisher
/// would hold a connection while waiting); the job or the run in progress pays them. Returns
/// how many events were handled.
pub async fn process_events(state: &AppState) -> Result<usize, StorageError> {
    crate::outbox::run_unless_busy(state, &Gamification, 10).await
}
