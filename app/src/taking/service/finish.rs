//! Finishing on request and the result page.

use super::*;

async fn result_view(mut c: Conn<'_>, a: &AttemptLite) -> AppResult<ResultView> {
    if a.in_progress() {
        return Err(AppError::refused(Msg::ErrAttemptNotFinished));
    }
    let Some(cert) = certs::get(c.re(), a.certification_id).await? else {
        return Err(AppError::NotFound);
    };
    let p: Progress = store::progress(c.re(), a.user_id, a.certification_id)
        .await?
        .unwrap_or_default();
    let standing = Standing {
        attempts_used: p.attempts_used,
        best_percent: p.best_percent,
        in_progress: false,
    };
    let reset = a.reset_at.is_some();
    let earned = earned(c.re(), a, &cert).await?;
    Ok(ResultView {
        earned,
        attempt_id: a.id,
        cert_id: cert.id,
        title: cert.settings.title.clone(),
        number: a.number,
        percent: a.percent.unwrap_or(0),
        correct: a.correct.unwrap_or(0),
        total: a.total.unwrap_or(0),
        threshold: a.pass_threshold,
        passed: a.passed.unwrap_or(false),
        best_percent: if reset {
            a.percent.unwrap_or(0)
        } else {
            p.best_percent.unwrap_or(0)
        },
        attempts_left: (cert.settings.max_attempts - p.attempts_used).max(0),
        can_retry: !reset
            && cert.status == CertStatus::Open
            && attempt::can_retry(cert.settings.max_attempts, standing),
        timed_out: a.finish_reason.as_deref() == Some("timeout"),
        away_limit: a.finish_reason.as_deref() == Some("away_limit"),
        review_allowed: cert.settings.review_allowed,
        finished_at: a.finished_at.unwrap_or(a.started_at),
        used_ms: a.used_ms.min(a.time_limit_ms),
    })
}

/// How long after the finish a badge still counts as earned by it (the badges of a finish are
/// awarded with it, or by the job a tick later).
const EARNED_WINDOW_MS: i64 = 5 * 60_000;

/// What a finished attempt earned its person, if an employee.
async fn earned(
    mut c: Conn<'_>,
    a: &AttemptLite,
    cert: &Certification,
) -> Result<Option<Earned>, StorageError> {
    let Some(user) = storage::users::get(c.re(), a.user_id).await? else {
        return Ok(None);
    };
    if user.role != crate::domain::user::Role::Employee {
        return Ok(None);
    }
    let Some(finished) = a.finished_at else {
        return Ok(None);
    };
    // Points: a first pass ever pays the certification's points (the consumer pays them, at
    // once or a tick later: the rule, not the ledger, says what this attempt earned).
    let points = if a.passed == Some(true) && !store::passed_before(c.re(), a.id).await? {
        cert.settings.points
    } else {
        0
    };
    let mut badges = Vec::new();
    for h in storage::gamification::held(c.re(), a.user_id).await? {
        let at = h.awarded_at.millis();
        if h.revoked_at.is_none()
            && at >= finished.millis()
            && at <= finished.millis() + EARNED_WINDOW_MS
            && let Some(b) = storage::gamification::badge(c.re(), h.badge_id).await?
            && b.kind != "manual"
        {
            badges.push(b.name);
        }
    }
    let before = storage::gamification::balance_before(c.re(), a.user_id, finished).await?;
    let levels = storage::gamification::levels(c.re()).await?;
    let level = crate::domain::gamification::level_reached(&levels, before, before + points)
        .map(|l| l.name.clone());
    Ok(Some(Earned {
        points,
        badges,
        level,
    }))
}

/// How long a finisher who starts a run of the consumers waits for it. Alone, a run takes a
/// few milliseconds and the next page shows the points at once; in a wave of finishes a run
/// applies hundreds of events, and the one finisher who started it would wait seconds for
/// everyone else's (the working day's slowest finishes). The run goes on without them.
const WAIT_FOR_RUN: std::time::Duration = std::time::Duration::from_millis(300);

/// Applies the new events (points, badges, then the cache versions) at once instead of at the
/// next job tick: waits (at most [`WAIT_FOR_RUN`]) for a run that starts now, or when one is
/// under way, leaves the events to the run that follows it ([`crate::shared_run`]).
async fn apply_events(state: &AppState) {
    let (s, db) = (state.clone(), state.db.clone());
    let job = move || {
        let state = s.clone();
        async move {
            if let Err(e) = crate::gamification::consumer::process_events(&state).await {
                tracing::warn!(error = %e, "gamification will catch up at the next tick");
            }
            crate::cache::consumer::catch_up(&state).await;
        }
    };
    let spawn = move |run| db.spawn_writer(run);
    let hurried = state.finished_events.hurry(spawn, job);
    if tokio::time::timeout(WAIT_FOR_RUN, hurried).await.is_err() {
        // The run goes on in its own task; only this wait ends.
        tracing::debug!("the finish answers before the consumers' run ends");
    }
}

/// Finishes the attempt and returns its result. The finish is written with others finishing
/// at the same moment ([`crate::taking::finishes`]), or in a transaction of its own (on SQLite's
/// writer lane); the result page is read after the commit, on a read connection.
pub async fn finish(state: &AppState, taker: &Taker, id: AttemptId) -> AppResult<ResultView> {
    let actor = taker.member(state).await?;
    let queued = Arc::new(crate::taking::finishes::QueuedFinish {
        user: actor.user.clone(),
        attempt: id,
        origin: taker.origin.clone(),
    });
    let batched =
        crate::taking::finishes::batching() && state.finishes.submit(queued).await.is_ok();
    if !batched {
        finish_alone(state, taker, &actor.user, id).await?;
    }
    let view = async {
        let mut c = state.db.read().await?;
        let Some(done) = store::get(c.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        result_view(c.conn(), &done).await
    };
    // The result is read while the events are applied, not after: the finisher waits for the
    // longer of the two.
    let (view, ()) = tokio::join!(view, apply_events(state));
    view
}

/// A finish in a transaction of its own, on SQLite's writer lane.
async fn finish_alone(
    state: &AppState,
    taker: &Taker,
    user: &User,
    id: AttemptId,
) -> AppResult<()> {
    let now = state.now();
    let (st, tk, user) = (state.clone(), taker.clone(), user.clone());
    state
        .db
        .on_writer(async move {
            let mut tx = st.db.begin().await?;
            let a = own_attempt(tx.conn(), &user, id, &tk.origin, now).await?;
            if a.in_progress() {
                let reason = crate::taking::finishes::reason(&a, now);
                finalize(tx.conn(), &a, reason, Some(&user), &tk.origin, now).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
}

pub async fn result(state: &AppState, taker: &Taker, id: AttemptId) -> AppResult<ResultState> {
    let actor = taker.member(state).await?;
    let now = state.now();
    if taker.render {
        // A page render only reads: an attempt that is over but not finished yet shows
        // "finishing…", and the hydrated page finishes it with its own request.
        let result: AppResult<ResultState> = async {
            let mut c = state.db.read().await?;
            let Some(a) = store::get(c.conn(), id)
                .await?
                .filter(|a| a.user_id == actor.user.id)
            else {
                return Err(AppError::NotFound);
            };
            if a.must_end(now) {
                return Ok(ResultState::Finishing);
            }
            result_view(c.conn(), &a).await.map(ResultState::Ready)
        }
        .await;
        return result;
    }
    let result: AppResult<ResultView> = async {
        let mut tx = state.db.begin().await?;
        let a = own_attempt(tx.conn(), &actor.user, id, &taker.origin, now).await?;
        let view = result_view(tx.conn(), &a).await?;
        tx.commit().await?;
        Ok(view)
    }
    .await;
    let view = result?;
    apply_events(state).await;
    Ok(ResultState::Ready(view))
}
