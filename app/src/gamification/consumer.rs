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
