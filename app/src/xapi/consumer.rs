//! xAPI as a consumer of domain events: while switched on, each learning event becomes one
//! statement in the HTTP outbox (`xapi` channel), its id derived from the event, written in
//! the consumer's transaction. Events while switched off are not sent later.

use super::XapiSettings;
use crate::domain::events::DomainEvent;
use crate::domain::xapi::{Learner, Learning, statement, statement_id};
use crate::domain::{AttemptId, UserId};
use crate::outbox::{Consumer, EventMeta};
use crate::state::AppState;
use crate::storage::{self, Conn, StorageError, http_outbox::XAPI};
use futures::future::BoxFuture;

pub struct Xapi;

impl Consumer for Xapi {
    fn name(&self) -> &'static str {
        "xapi"
    }

    fn kinds(&self) -> Option<&'static [&'static str]> {
        Some(&["theory_read", "attempt_started", "attempt_finished"])
    }

    fn switched_on<'a>(&'a self, c: Conn<'a>) -> BoxFuture<'a, Result<bool, StorageError>> {
        Box::pin(async move {
            let settings: XapiSettings = crate::settings::load(c).await?;
            Ok(settings.enabled)
        })
    }

    fn handle<'a>(
        &'a self,
        state: &'a AppState,
        c: Conn<'a>,
        meta: EventMeta,
        event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(handle(state, c, meta, event))
    }
}

async fn handle(
    state: &AppState,
    mut c: Conn<'_>,
    meta: EventMeta,
    event: &DomainEvent,
) -> Result<(), StorageError> {
    // Switched on: `switched_on` read the settings once for the batch.
    let Some((user, what)) = learning(c.re(), event).await? else {
        return Ok(());
    };
    let Some(person) = storage::users::get(c.re(), user).await? else {
        return Ok(());
    };
    let who = Learner {
        user_id: person.id.0,
        name: format!("{} {}", person.first_name, person.last_name)
            .trim()
            .to_owned(),
    };
    let base = &state.config.public_url;
    let id = statement_id(base, meta.id.0);
    let body = statement(base, id, &who, &what, meta.occurred_at).to_string();
    let verb = match &what {
        Learning::TheoryRead { .. } => "experienced",
        Learning::AttemptStarted { .. } => "attempted",
        Learning::AttemptEnded {
            timed_out: true, ..
        } => "abandoned",
        Learning::AttemptEnded { passed: true, .. } => "passed",
        Learning::AttemptEnded { .. } => "failed",
        Learning::BadgeEarned { .. } | Learning::LevelReached { .. } => "earned",
    };
    storage::http_outbox::enqueue(c, XAPI, 0, verb, &id.to_string(), &body, state.now()).await?;
    Ok(())
}

async fn title(c: Conn<'_>, cert: crate::domain::CertId) -> Result<Option<String>, StorageError> {
    Ok(storage::certifications::get(c, cert)
        .await?
        .map(|c| c.settings.title))
}

/// Who learnt what, for the events that are learning records.
async fn learning(
    mut c: Conn<'_>,
    event: &DomainEvent,
) -> Result<Option<(UserId, Learning)>, StorageError> {
    Ok(match event {
        DomainEvent::TheoryRead {
            user_id,
            certification_id,
            ..
        } => title(c, *certification_id).await?.map(|title| {
            (
                *user_id,
                Learning::TheoryRead {
                    certification_id: certification_id.0,
                    title,
                },
            )
        }),
        DomainEvent::AttemptStarted {
            attempt_id,
            user_id,
            certification_id,
        } => title(c, *certification_id).await?.map(|title| {
            (
                *user_id,
                Learning::AttemptStarted {
                    attempt_id: attempt_id.0,
                    certification_id: certification_id.0,
                    title,
                },
            )
        }),
        DomainEvent::AttemptFinished {
            attempt_id,
            user_id,
            certification_id,
            percent,
            passed,
            ..
        } => {
            let attempt = storage::attempts::get(c.re(), AttemptId(attempt_id.0)).await?;
            let title = title(c, *certification_id).await?;
            match (attempt, title) {
                (Some(a), Some(title)) => Some((
                    *user_id,
                    Learning::AttemptEnded {
                        attempt_id: attempt_id.0,
                        certification_id: certification_id.0,
                        title,
                        percent: *percent,
                        passed: *passed,
                        timed_out: a.finish_reason.as_deref() == Some("timeout"),
                        duration_ms: a.used_ms,
                    },
                )),
                _ => None,
            }
        }
        DomainEvent::BadgeAwarded { user_id, badge_id } => {
            storage::gamification::badge(c, *badge_id).await?.map(|b| {
                (
                    *user_id,
                    Learning::BadgeEarned {
                        badge_id: b.id,
                        name: b.name,
                    },
                )
            })
        }
        DomainEvent::LevelReached { user_id, level } => storage::gamification::levels(c)
            .await?
            .into_iter()
            .find(|l| l.number == *level)
            .map(|l| {
                (
                    *user_id,
                    Learning::LevelReached {
                        level: l.number,
                        name: l.name,
                    },
                )
            }),
        _ => None,
    })
}
