//! Background jobs of the server process. Each runs in a loop until shutdown; a failed run is
//! logged and retried at the next tick, never fatal. Jobs that change shared state (opening
//! and closing certifications, finishing overdue attempts, the event consumers, reminders,
//! purges) run on the leader instance only (`crate::leader`), so they run once however many
//! instances there are, and move to another instance when the leader dies. Work on an
//! instance's own memory (its failed sign-in counts) runs everywhere.

use crate::leader::Leadership;
use app::outbox::Consumer;
use app::state::AppState;
use std::time::Duration;
use tokio::sync::watch;

/// Keep ended sessions this long (for the audit trail's sake), then delete them.
const SESSION_RETENTION_SECS: i64 = 30 * 24 * 3600;
/// How often the audit feed looks for new entries at most (an entry is posted within seconds).
const AUDIT_FEED_PERIOD: Duration = Duration::from_secs(1);
/// How often the outgoing HTTP outbox looks for due requests at most.
const OUTBOX_PERIOD: Duration = Duration::from_secs(1);
/// Delivered and dead outgoing requests are kept this long for the admin page.
const OUTBOX_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// How often reminders and nudges are looked for.
const SCHEDULE_PERIOD: Duration = Duration::from_secs(30);

/// The consumers of the domain-event outbox, in the order they run.
fn consumers() -> Vec<Box<dyn Consumer>> {
    vec![
        Box::new(app::gamification::consumer::Gamification),
        Box::new(app::notifications::consumer::Notifications),
        Box::new(app::webhooks::consumer::Webhooks),
        Box::new(app::xapi::consumer::Xapi),
        // Last: it bumps the results version for the events the others applied.
        Box::new(app::cache::consumer::CacheVersions),
    ]
}

/// Runs every consumer until it has caught up (a bounded number of batches per tick).
pub async fn apply_events(state: &AppState) -> Result<usize, app::storage::StorageError> {
    let mut total = 0;
    for consumer in consumers() {
        total += app::outbox::run(state, consumer.as_ref(), 50).await?;
    }
    Ok(total)
}

/// Starts every job. `tick` is the period of the time-critical jobs (opening and closing
/// certifications on schedule, finishing attempts whose time ran out, applying events).
pub fn spawn_all(
    state: AppState,
    tick: Duration,
    leader: Leadership,
    feed: Option<std::sync::Arc<crate::audit_feed::AuditFeed>>,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let job = |name: &'static str, period: Duration, leader_only: bool| Job {
        name,
        period,
        leader: leader_only.then(|| leader.clone()),
        stop: stop.clone(),
    };
    let mut jobs = vec![
        job("certification schedule", tick, true).spawn(state.clone(), |state| async move {
            let n = app::certifications::scheduler::run_due(&state).await?;
            if n > 0 {
                tracing::info!(
                    certifications = n,
                    "scheduled openings and closings applied"
                );
            }
            Ok(())
        }),
        job("finish overdue attempts", tick, true).spawn(state.clone(), |state| async move {
            let n = app::taking::service::finish_overdue(&state).await?;
            if n > 0 {
                tracing::info!(attempts = n, "overdue attempts finished");
            }
            Ok(())
        }),
        // Catches up on events no request applied (attempts the server finished, events
        // written by another instance), for every consumer.
        job("domain events", tick, true).spawn(state.clone(), |state| async move {
            apply_events(&state).await?;
            Ok(())
        }),
        // Keeps the deltas the dashboard and the statistics add on every read few.
        job("kept counts", tick, true).spawn(state.clone(), |state| async move {
            app::dashboard::service::fold_counts(&state).await?;
            app::analytics::service::fold_sums(&state).await?;
            Ok(())
        }),
        job("statistics facts of older attempts", tick, true).spawn(
            state.clone(),
            |state| async move {
                let n = app::analytics::backfill::run(&state).await?;
                if n > 0 {
                    tracing::info!(attempts = n, "statistics facts recorded");
                }
                Ok(())
            },
        ),
        job("reminders and nudges", SCHEDULE_PERIOD, true).spawn(
            state.clone(),
            |state| async move {
                let n = app::notifications::schedule::run_due(&state).await?;
                if n > 0 {
                    tracing::info!(notifications = n, "reminders and nudges queued");
                }
                Ok(())
            },
        ),
        job("failed sign-ins to the audit log", tick, false).spawn(
            state.clone(),
            |state| async move {
                state
                    .failed_sign_ins
                    .flush(&state.db, state.now(), false)
                    .await?;
                Ok(())
            },
        ),
        job("sign-in limits", Duration::from_secs(3600), false).spawn(
            state.clone(),
            |state| async move {
                state.sign_in_limits.forget_idle();
                Ok(())
            },
        ),
        job(
            "purge ended sessions, sign-in counters and old deliveries",
            Duration::from_secs(3600),
            true,
        )
        .spawn(state.clone(), |state| async move {
            let now = state.now();
            let mut tx = state.db.begin().await?;
            let sessions =
                app::storage::sessions::purge_ended(tx.conn(), now, SESSION_RETENTION_SECS).await?;
            let counters = app::storage::throttle::purge_stale(
                tx.conn(),
                now,
                state.config.login_throttle.window_secs,
            )
            .await?;
            app::storage::http_outbox::purge(
                tx.conn(),
                app::domain::Timestamp(now.0 - OUTBOX_RETENTION_MS),
            )
            .await?;
            tx.commit().await?;
            if sessions + counters > 0 {
                tracing::info!(
                    sessions,
                    counters,
                    "purged ended sessions and sign-in counters"
                );
            }
            Ok(())
        }),
    ];
    let sender = crate::http_outbox::Sender::new(state.config.outbox_allow_private);
    jobs.push(
        job(
            "outgoing HTTP (webhooks, xAPI)",
            tick.min(OUTBOX_PERIOD),
            true,
        )
        .spawn(state.clone(), move |state| {
            let sender = sender.clone();
            async move {
                sender.tick(&state).await?;
                Ok(())
            }
        }),
    );
    jobs.push(
        job("audit retention", Duration::from_secs(24 * 3600), true).spawn(
            state.clone(),
            |state| async move {
                crate::audit_feed::purge_expired(&state).await?;
                Ok(())
            },
        ),
    );
    if let Some(feed) = feed {
        jobs.push(job("audit feed", tick.min(AUDIT_FEED_PERIOD), true).spawn(
            state,
            move |state| {
                let feed = feed.clone();
                async move { feed.tick(&state).await }
            },
        ));
    }
    jobs
}

struct Job {
    name: &'static str,
    period: Duration,
    /// Runs only while this instance leads.
    leader: Option<Leadership>,
    stop: watch::Receiver<bool>,
}

impl Job {
    fn spawn<F, Fut>(self, state: AppState, run: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(AppState) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(), app::storage::StorageError>> + Send + 'static,
    {
        let Job {
            name,
            period,
            leader,
            mut stop,
        } = self;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if leader.as_ref().is_some_and(|l| !l.is_leader()) {
                            continue;
                        }
                        // Jobs write: on SQLite they run on the writer lane.
                        match state.db.on_writer(run(state.clone())).await {
                            Ok(()) => {}
                            // Another instance took the lead meanwhile: it does the work.
                            Err(e @ app::storage::StorageError::Fenced { .. }) => {
                                tracing::warn!(job = name, error = %e, "background job stopped");
                            }
                            Err(e) => {
                                tracing::error!(job = name, error = %e, "background job failed");
                            }
                        }
                    }
                    _ = stop.changed() => return,
                }
            }
        })
    }
}
