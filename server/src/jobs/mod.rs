//! Background jobs of the server process. Each runs in a loop until shutdown; a failed run is
//! logged and retried at the next tick, never fatal.

use app::state::AppState;
use std::time::Duration;
use tokio::sync::watch;

/// Keep ended sessions this long (for the audit trail's sake), then delete them.
const SESSION_RETENTION_SECS: i64 = 30 * 24 * 3600;

/// Starts every job. `tick` is the period of the time-critical jobs (opening and closing
/// certifications on schedule, finishing attempts whose time ran out).
pub fn spawn_all(
    state: AppState,
    tick: Duration,
    stop: watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let scheduler_state = state.clone();
    vec![
        tokio::spawn(every(
            "certification schedule",
            tick,
            stop.clone(),
            move || {
                let state = scheduler_state.clone();
                async move {
                    let n = app::certifications::scheduler::run_due(&state).await?;
                    if n > 0 {
                        tracing::info!(
                            certifications = n,
                            "scheduled openings and closings applied"
                        );
                    }
                    Ok(())
                }
            },
        )),
        tokio::spawn(every("finish overdue attempts", tick, stop.clone(), {
            let state = state.clone();
            move || {
                let state = state.clone();
                async move {
                    let n = app::taking::service::finish_overdue(&state).await?;
                    if n > 0 {
                        tracing::info!(attempts = n, "overdue attempts finished");
                    }
                    Ok(())
                }
            }
        })),
        tokio::spawn(every("gamification", tick, stop.clone(), {
            let state = state.clone();
            move || {
                let state = state.clone();
                async move {
                    // Catches up on events no request applied (attempts the server finished,
                    // events written by another instance).
                    app::gamification::service::process_events(&state).await?;
                    Ok(())
                }
            }
        })),
        tokio::spawn(every(
            "failed sign-ins to the audit log",
            tick,
            stop.clone(),
            {
                let state = state.clone();
                move || {
                    let state = state.clone();
                    async move {
                        app::auth::failures::flush(&state, false).await?;
                        Ok(())
                    }
                }
            },
        )),
        tokio::spawn(every(
            "purge ended sessions and sign-in counters",
            Duration::from_secs(3600),
            stop,
            move || {
                let state = state.clone();
                async move {
                    let now = state.now();
                    let mut tx = state.db.begin().await?;
                    let sessions =
                        app::storage::sessions::purge_ended(tx.conn(), now, SESSION_RETENTION_SECS)
                            .await?;
                    let counters = app::storage::throttle::purge_stale(
                        tx.conn(),
                        now,
                        state.config.login_throttle.window_secs,
                    )
                    .await?;
                    tx.commit().await?;
                    state.sign_in_limits.forget_idle();
                    if sessions + counters > 0 {
                        tracing::info!(
                            sessions,
                            counters,
                            "purged ended sessions and sign-in counters"
                        );
                    }
                    Ok(())
                }
            },
        )),
    ]
}

async fn every<F, Fut>(
    name: &'static str,
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut run: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), app::storage::StorageError>>,
{
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(e) = run().await {
                    tracing::error!(job = name, error = %e, "background job failed");
                }
            }
            _ = stop.changed() => return,
        }
    }
}
