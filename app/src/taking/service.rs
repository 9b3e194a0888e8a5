//! The rules of taking a certification, enforced by the server whatever the client does.

use super::{
    AttemptScreen, AttemptSummary, CertResults, ClockAck, MyCert, PreviewData, ReadState,
    ResultView, ReviewItem, TestEntry, TheoryData,
};
use crate::auth::guard;
use crate::auth::service::{Actor, audit_by, internal, label_of};
use crate::domain::attempt::{self, AttemptClock, Standing, build_questions, may_start, score};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::certification::{CertStatus, Certification};
use crate::domain::events::DomainEvent;
use crate::domain::permissions::Module;
use crate::domain::progress::{
    StateInput, all_blocks_read, my_state, still_to_read, theory_is_read,
};
use crate::domain::question::QuestionKind;
use crate::domain::user::{User, UserStatus};
use crate::domain::{AttemptId, BlockId, CertId, Timestamp, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::attempts::{self as store, AttemptLite, Progress};
use crate::storage::certifications as certs;
use crate::storage::{self, Conn, StorageError};
use serde_json::json;

type TxResult<T> = Result<Result<T, AppError>, StorageError>;

fn flatten<T>(r: TxResult<T>) -> AppResult<T> {
    r.map_err(internal)?
}

async fn member() -> AppResult<(AppState, Actor)> {
    let actor = guard::member().await?;
    Ok((guard::state(), actor))
}

/// The certification as a member may see it: open or closed, and assigned to them (or they
/// have progress in it).
async fn visible_cert(
    mut c: Conn<'_>,
    user: UserId,
    id: CertId,
) -> Result<Result<Certification, AppError>, StorageError> {
    let Some(cert) = certs::get(c.re(), id).await? else {
        return Ok(Err(AppError::NotFound));
    };
    if !matches!(cert.status, CertStatus::Open | CertStatus::Closed) {
        return Ok(Err(AppError::NotFound));
    }
    let assigned = store::is_assigned(c.re(), user, id).await?;
    if !assigned && store::progress(c, user, id).await?.is_none() {
        return Ok(Err(AppError::NotFound));
    }
    Ok(Ok(cert))
}

pub async fn my_certifications() -> AppResult<Vec<MyCert>> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result = async {
        let mut c = state.db.read().await?;
        let rows = store::my_certifications(c.conn(), actor.user.id).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let remaining = match r.attempt_id {
                Some(a) => store::get(c.conn(), a)
                    .await?
                    .map(|a| a.clock().remaining(now)),
                None => None,
            };
            let versions: Vec<(i64, bool)> = certs::versions(c.conn(), r.id)
                .await?
                .into_iter()
                .map(|v| (v.version, v.require_reread))
                .collect();
            let status = r.status.parse().unwrap_or(CertStatus::Closed);
            out.push(MyCert {
                id: r.id,
                title: r.title,
                state: my_state(StateInput {
                    status,
                    theory_read: theory_is_read(r.read_version, &versions),
                    in_progress_remaining_ms: remaining,
                    attempts_used: r.attempts_used.unwrap_or(0),
                    max_attempts: r.max_attempts,
                    best_percent: r.best_percent,
                    threshold: r.pass_threshold,
                }),
                closes_at: r.closes_at,
                time_limit_secs: r.time_limit_secs,
            });
        }
        out.sort_by_key(|m| m.state.urgency());
        Ok::<_, StorageError>(out)
    }
    .await;
    result.map_err(internal)
}

/// Computes (and, when newly complete, records) the reading state at `now`.
async fn read_state(
    mut c: Conn<'_>,
    user: &User,
    cert: &Certification,
    utc_offset: i32,
    now: Timestamp,
) -> Result<ReadState, StorageError> {
    let blocks = certs::blocks(c.re(), cert.id, cert.theory_version).await?;
    let versions: Vec<(i64, bool)> = certs::versions(c.re(), cert.id)
        .await?
        .into_iter()
        .map(|v| (v.version, v.require_reread))
        .collect();
    let progress = store::progress(c.re(), user.id, cert.id)
        .await?
        .unwrap_or_default();
    let in_progress = store::in_progress(c.re(), user.id, cert.id)
        .await?
        .is_some();
    let mut read = theory_is_read(progress.read_version, &versions);
    let remaining_ms = if read {
        vec![0; blocks.len()]
    } else {
        let dwell = store::dwell(c.re(), user.id, cert.id).await?;
        let per_block: Vec<i64> = blocks
            .iter()
            .map(|b| {
                let stored = dwell
                    .iter()
                    .find(|(id, _)| *id == b.id)
                    .map(|(_, d)| *d)
                    .unwrap_or(-1);
                let running = match (progress.current_block_id, progress.current_since) {
                    (Some(cur), Some(since)) if cur == b.id => {
                        (now.millis() - since.millis()).max(0)
                    }
                    _ => 0,
                };
                // A block never shown is not read, whatever the minimum.
                if stored < 0 { -1 } else { stored + running }
            })
            .collect();
        let shown_all = per_block.iter().all(|d| *d >= 0);
        if shown_all && all_blocks_read(cert.settings.min_read_secs, &per_block) {
            store::ensure_progress(c.re(), user.id, cert.id, now).await?;
            store::mark_read(c.re(), user.id, cert.id, cert.theory_version, now).await?;
            crate::gamification::service::evaluate_badges(c.re(), user, utc_offset, now).await?;
            read = true;
            vec![0; blocks.len()]
        } else {
            let min = cert.settings.min_read_secs * 1000;
            per_block
                .iter()
                .map(|d| {
                    if *d < 0 {
                        min.max(1)
                    } else {
                        still_to_read(cert.settings.min_read_secs, &[*d])[0]
                    }
                })
                .collect()
        }
    };
    let standing = Standing {
        attempts_used: progress.attempts_used,
        best_percent: progress.best_percent,
        in_progress,
    };
    let assigned = store::is_assigned(c, user.id, cert.id).await?;
    let refusal = if in_progress {
        None
    } else {
        may_start(
            cert.status == CertStatus::Open,
            assigned,
            read,
            cert.settings.max_attempts,
            standing,
        )
        .err()
        .map(|r| r.msg())
    };
    Ok(ReadState {
        read,
        remaining_ms,
        in_progress,
        refusal,
    })
}

pub async fn theory(cert_id: CertId) -> AppResult<TheoryData> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<TheoryData> = async {
        let mut tx = state.db.begin().await?;
        let cert = match visible_cert(tx.conn(), actor.user.id, cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let read = read_state(
            tx.conn(),
            &actor.user,
            &cert,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        let blocks = certs::blocks(tx.conn(), cert.id, cert.theory_version).await?;
        let materials = certs::materials(tx.conn(), cert.id, cert.theory_version).await?;
        tx.commit().await?;
        Ok(Ok(TheoryData {
            cert_id: cert.id,
            title: cert.settings.title.clone(),
            description: cert.settings.description.clone(),
            blocks,
            materials,
            min_read_secs: cert.settings.min_read_secs,
            read,
        }))
    }
    .await;
    flatten(result)
}

pub async fn page_shown(cert_id: CertId, block_id: BlockId) -> AppResult<ReadState> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ReadState> = async {
        let mut tx = state.db.begin().await?;
        let cert = match visible_cert(tx.conn(), actor.user.id, cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let blocks = certs::blocks(tx.conn(), cert.id, cert.theory_version).await?;
        if !blocks.iter().any(|b| b.id == block_id) {
            // A page of an older theory version: reload.
            return Ok(Err(AppError::Conflict));
        }
        // While an attempt is in progress the clock is not the reading's business; the time on
        // the theory page is simply not counted for the test (see `leave`).
        store::show_block(tx.conn(), actor.user.id, cert.id, block_id, now).await?;
        crate::gamification::service::note_activity(
            tx.conn(),
            &actor.user,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        let read = read_state(
            tx.conn(),
            &actor.user,
            &cert,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(read))
    }
    .await;
    flatten(result)
}

pub async fn start(cert_id: CertId) -> AppResult<AttemptId> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<AttemptId> = async {
        let mut tx = state.db.begin().await?;
        let cert = match visible_cert(tx.conn(), actor.user.id, cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(running) = store::in_progress(tx.conn(), actor.user.id, cert.id).await? {
            tx.commit().await?;
            return Ok(Ok(running.id));
        }
        let read = read_state(tx.conn(), &actor.user, &cert, state.config.display_utc_offset_minutes, now).await?;
        if let Some(msg) = read.refusal {
            // The reading state may have just been recorded as complete: keep that.
            tx.commit().await?;
            return Ok(Err(AppError::refused(msg)));
        }
        let progress = store::ensure_progress(tx.conn(), actor.user.id, cert.id, now).await?;
        let bank: Vec<_> = storage::questions::of_certification(tx.conn(), cert.id)
            .await?
            .into_iter()
            .map(|q| (q.id, q.revision, q.content))
            .collect();
        let seed: u64 = rand::random();
        let asked = build_questions(
            &bank,
            cert.settings.draw_count.map(|n| n as usize),
            cert.settings.shuffle_questions,
            cert.settings.shuffle_options,
            seed,
        );
        let clock = AttemptClock::start(cert.settings.timer_mode, cert.settings.time_limit_secs * 1000, now);
        let number = history_len(tx.conn(), actor.user.id, cert.id).await? + 1;
        let inserted = store::insert(
            tx.conn(),
            &store::NewAttempt {
                user: actor.user.id,
                cert: cert.id,
                number,
                clock,
                seed,
                questions: &asked,
                pass_threshold: cert.settings.pass_threshold,
            },
            now,
        )
        .await?;
        let Some(id) = inserted else {
            // Another request started it a moment ago: that one is the attempt.
            let running = store::in_progress(tx.conn(), actor.user.id, cert.id).await?;
            tx.commit().await?;
            return Ok(running.map(|a| a.id).ok_or(AppError::Conflict));
        };
        store::count_used(tx.conn(), actor.user.id, cert.id, now).await?;
        store::stop_reading(tx.conn(), actor.user.id, cert.id, now).await?;
        storage::audit::record(
            tx.conn(),
            &audit_by(&actor.user, AuditAction::AttemptStarted, "attempt", id,
                json!({ "certification_id": cert.id, "number": number, "attempts_used_before": progress.attempts_used }),
                &guard::origin("miniapp"), now),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }
    .await;
    flatten(result)
}

async fn history_len(c: Conn<'_>, user: UserId, cert: CertId) -> Result<i64, StorageError> {
    Ok(store::history(c, user, cert).await?.len() as i64)
}

/// Scores and finishes an attempt inside the caller's transaction, with its event and audit.
/// Returns false if it was already finished.
pub async fn finalize(
    mut c: Conn<'_>,
    a: &AttemptLite,
    reason: &str,
    by: Option<&User>,
    origin: &Origin,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let asked = store::questions(c.re(), a.id).await?;
    let answers = store::answers(c.re(), a.id, asked.len()).await?;
    let s = score(&asked, &answers);
    let passed = s.percent >= a.pass_threshold;
    let clock = a.clock();
    let finished_at = if reason == "timeout" {
        clock.ended_at(now)
    } else {
        now
    };
    if !store::finish(c.re(), a.id, finished_at, reason, &clock, s, passed, now).await? {
        return Ok(false);
    }
    let before = store::progress(c.re(), a.user_id, a.certification_id)
        .await?
        .unwrap_or_default();
    store::record_result(
        c.re(),
        a.user_id,
        a.certification_id,
        a.id,
        s.percent,
        passed,
        now,
    )
    .await?;
    storage::events::emit(
        c.re(),
        &DomainEvent::AttemptFinished {
            attempt_id: a.id,
            user_id: a.user_id,
            certification_id: a.certification_id,
            percent: s.percent,
            passed,
            first_pass: passed && before.passed_at.is_none(),
        },
        now,
    )
    .await?;
    let details = json!({ "certification_id": a.certification_id, "percent": s.percent, "correct": s.correct,
        "total": s.total, "passed": passed, "reason": reason });
    let entry = match by {
        Some(u) => audit_by(
            u,
            AuditAction::AttemptFinished,
            "attempt",
            a.id,
            details,
            origin,
            now,
        ),
        None => AuditEntry {
            at: now,
            actor_id: None,
            actor_label: "server".into(),
            action: AuditAction::AttemptFinished,
            target_type: Some("attempt".into()),
            target_id: Some(a.id.to_string()),
            details,
            origin: origin.clone(),
        },
    };
    storage::audit::record(c, &entry).await?;
    Ok(true)
}

/// The attempt of this user, locked; an overdue one is finished first.
async fn own_attempt(
    mut c: Conn<'_>,
    user: &User,
    id: AttemptId,
    now: Timestamp,
) -> Result<Result<AttemptLite, AppError>, StorageError> {
    let Some(a) = store::get_for_update(c.re(), id).await? else {
        return Ok(Err(AppError::NotFound));
    };
    if a.user_id != user.id {
        return Ok(Err(AppError::NotFound));
    }
    if a.in_progress() && a.clock().must_finish(now) {
        finalize(
            c.re(),
            &a,
            "timeout",
            Some(user),
            &guard::origin("miniapp"),
            now,
        )
        .await?;
        return Ok(Ok(store::get(c, id).await?.unwrap_or(a)));
    }
    Ok(Ok(a))
}

pub async fn current(cert_id: CertId) -> AppResult<TestEntry> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<TestEntry> = async {
        let mut tx = state.db.begin().await?;
        let cert = match visible_cert(tx.conn(), actor.user.id, cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        let Some(running) = store::in_progress(tx.conn(), actor.user.id, cert.id).await? else {
            tx.commit().await?;
            return Ok(Ok(TestEntry::None));
        };
        let a = match own_attempt(tx.conn(), &actor.user, running.id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        if !a.in_progress() {
            tx.commit().await?;
            return Ok(Ok(TestEntry::Finished(a.id)));
        }
        let mut clock = a.clock();
        clock.present(now);
        store::save_clock(tx.conn(), a.id, &clock, a.current_index, now).await?;
        let asked = store::questions(tx.conn(), a.id).await?;
        let answers = store::answers(tx.conn(), a.id, asked.len()).await?;
        tx.commit().await?;
        Ok(Ok(TestEntry::Attempt(AttemptScreen {
            attempt_id: a.id,
            cert_id: cert.id,
            title: cert.settings.title.clone(),
            number: a.number,
            mode: a.timer_mode,
            questions: asked.iter().map(|q| q.view()).collect(),
            answers,
            current_index: a.current_index,
            remaining_ms: clock.remaining(now),
        })))
    }
    .await;
    flatten(result)
}

fn ack(a: &AttemptLite, clock: &AttemptClock, now: Timestamp) -> ClockAck {
    ClockAck {
        remaining_ms: clock.remaining(now),
        finished: (!a.in_progress()).then_some(a.id),
    }
}

pub async fn save_answer(id: AttemptId, index: i64, answer: Vec<u32>) -> AppResult<ClockAck> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ClockAck> = async {
        let mut tx = state.db.begin().await?;
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        if !a.in_progress() {
            // Finished (by the user elsewhere, or the time ran out beyond the grace).
            tx.commit().await?;
            return Ok(Err(AppError::refused(Msg::ErrAttemptOver)));
        }
        let mut clock = a.clock();
        if !clock.accepts_answers(now) {
            tx.commit().await?;
            return Ok(Err(AppError::refused(Msg::ErrAttemptOver)));
        }
        let shape = usize::try_from(index).ok().and_then(|i| a.shapes.get(i));
        if !shape.is_some_and(|s| s.accepts(&answer)) {
            return Ok(Err(AppError::invalid("answer", Msg::ErrBadAnswer)));
        }
        clock.present(now);
        store::save_answer(tx.conn(), id, index, &answer, now).await?;
        store::save_clock(tx.conn(), id, &clock, index, now).await?;
        tx.commit().await?;
        Ok(Ok(ack(&a, &clock, now)))
    }
    .await;
    flatten(result)
}

pub async fn heartbeat(id: AttemptId, index: i64) -> AppResult<ClockAck> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ClockAck> = async {
        let mut tx = state.db.begin().await?;
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        let mut clock = a.clock();
        if a.in_progress() {
            clock.present(now);
            // In pause mode the time can run out only now, on the screen.
            if clock.must_finish(now) {
                finalize(
                    tx.conn(),
                    &a,
                    "timeout",
                    Some(&actor.user),
                    &guard::origin("miniapp"),
                    now,
                )
                .await?;
                tx.commit().await?;
                return Ok(Ok(ClockAck {
                    remaining_ms: 0,
                    finished: Some(a.id),
                }));
            }
            let index = index.clamp(0, a.shapes.len().saturating_sub(1) as i64);
            store::save_clock(tx.conn(), id, &clock, index, now).await?;
        }
        tx.commit().await?;
        Ok(Ok(ack(&a, &clock, now)))
    }
    .await;
    flatten(result)
}

pub async fn leave(id: AttemptId) -> AppResult<()> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<()> = async {
        let mut tx = state.db.begin().await?;
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        if a.in_progress() {
            let mut clock = a.clock();
            clock.away(now);
            store::save_clock(tx.conn(), id, &clock, a.current_index, now).await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    flatten(result)
}

async fn result_view(
    mut c: Conn<'_>,
    a: &AttemptLite,
) -> Result<Result<ResultView, AppError>, StorageError> {
    if a.in_progress() {
        return Ok(Err(AppError::refused(Msg::ErrAttemptNotFinished)));
    }
    let Some(cert) = certs::get(c.re(), a.certification_id).await? else {
        return Ok(Err(AppError::NotFound));
    };
    let p: Progress = store::progress(c, a.user_id, a.certification_id)
        .await?
        .unwrap_or_default();
    let standing = Standing {
        attempts_used: p.attempts_used,
        best_percent: p.best_percent,
        in_progress: false,
    };
    let reset = a.reset_at.is_some();
    Ok(Ok(ResultView {
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
        review_allowed: cert.settings.review_allowed,
        finished_at: a.finished_at.unwrap_or(a.started_at),
        used_ms: a.used_ms.min(a.time_limit_ms),
    }))
}

/// Applies the new events (points, badges) at once instead of at the next job tick.
async fn apply_events(state: &AppState) {
    if let Err(e) = crate::gamification::service::process_events(state).await {
        tracing::warn!(error = %e, "gamification will catch up at the next tick");
    }
}

pub async fn finish(id: AttemptId) -> AppResult<ResultView> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ResultView> = async {
        let mut tx = state.db.begin().await?;
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        if a.in_progress() {
            let reason = if a.clock().remaining(now) == 0 {
                "timeout"
            } else {
                "submitted"
            };
            finalize(
                tx.conn(),
                &a,
                reason,
                Some(&actor.user),
                &guard::origin("miniapp"),
                now,
            )
            .await?;
        }
        let done = store::get(tx.conn(), id).await?.unwrap_or(a);
        let view = result_view(tx.conn(), &done).await?;
        tx.commit().await?;
        Ok(view)
    }
    .await;
    let view = flatten(result)?;
    apply_events(&state).await;
    Ok(view)
}

pub async fn result(id: AttemptId) -> AppResult<ResultView> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ResultView> = async {
        let mut tx = state.db.begin().await?;
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        let view = result_view(tx.conn(), &a).await?;
        tx.commit().await?;
        Ok(view)
    }
    .await;
    flatten(result)
}

pub async fn history(cert_id: CertId) -> AppResult<Vec<AttemptSummary>> {
    let (state, actor) = member().await?;
    let mut c = state.db.read().await.map_err(internal)?;
    store::history(c.conn(), actor.user.id, cert_id)
        .await
        .map_err(internal)
}

pub async fn review(id: AttemptId) -> AppResult<Vec<ReviewItem>> {
    let (state, actor) = member().await?;
    let result: TxResult<Vec<ReviewItem>> = async {
        let mut c = state.db.read().await?;
        let Some(a) = store::get(c.conn(), id).await? else {
            return Ok(Err(AppError::NotFound));
        };
        if a.user_id != actor.user.id {
            return Ok(Err(AppError::NotFound));
        }
        if a.in_progress() {
            return Ok(Err(AppError::refused(Msg::ErrAttemptNotFinished)));
        }
        let review_allowed = certs::get(c.conn(), a.certification_id)
            .await?
            .is_some_and(|cert| cert.settings.review_allowed);
        if !review_allowed {
            return Ok(Err(AppError::refused(Msg::ErrReviewClosed)));
        }
        let asked = store::questions(c.conn(), id).await?;
        let answers = store::answers(c.conn(), id, asked.len()).await?;
        Ok(Ok(asked
            .iter()
            .zip(answers)
            .map(|(q, answer)| ReviewItem {
                question: q.view(),
                is_right: answer.as_deref().is_some_and(|x| q.is_right(x)),
                answer,
                right: match q.content.kind {
                    QuestionKind::Ordering => q.key.clone(),
                    _ => q
                        .content
                        .options
                        .iter()
                        .filter(|o| o.correct)
                        .map(|o| o.id)
                        .collect(),
                },
                explanation: q.content.explanation.clone(),
            })
            .collect()))
    }
    .await;
    flatten(result)
}

/// Finishes attempts whose time ran out (grace included) even if nobody opens them.
pub async fn finish_overdue(state: &AppState) -> Result<usize, StorageError> {
    let now = state.now();
    let ids = {
        let mut c = state.db.read().await?;
        store::overdue_candidates(
            c.conn(),
            now,
            attempt::ANSWER_GRACE_MS,
            attempt::PRESENCE_GRACE_MS,
        )
        .await?
    };
    tracing::debug!(candidates = ids.len(), "overdue attempts");
    let origin = Origin::channel("server");
    let mut done = 0;
    for id in ids {
        let mut tx = state.db.begin().await?;
        if let Some(a) = store::get_for_update(tx.conn(), id).await?
            && a.in_progress()
            && a.clock().must_finish(now)
            && finalize(tx.conn(), &a, "timeout", None, &origin, now).await?
        {
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}

pub async fn preview(id: CertId) -> AppResult<PreviewData> {
    guard::module(Module::Certifications).await?;
    let state = guard::state();
    let data = crate::certifications::service::load_editor(&state, id).await?;
    let asked = build_questions(
        &data
            .questions
            .iter()
            .map(|q| (q.id, q.revision, q.content.clone()))
            .collect::<Vec<_>>(),
        None,
        data.cert.settings.shuffle_questions,
        data.cert.settings.shuffle_options,
        rand::random(),
    );
    Ok(PreviewData {
        title: data.cert.settings.title.clone(),
        blocks: data.blocks,
        materials: data.materials,
        questions: asked.iter().map(|q| q.view()).collect(),
        time_limit_secs: data.cert.settings.time_limit_secs,
    })
}

pub async fn results(id: CertId) -> AppResult<CertResults> {
    guard::module(Module::Certifications).await?;
    let state = guard::state();
    let result: TxResult<CertResults> = async {
        let mut c = state.db.read().await?;
        let Some(cert) = certs::get(c.conn(), id).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let rows = store::results(c.conn(), id).await?;
        let tried: Vec<_> = rows.iter().filter(|r| r.best_percent.is_some()).collect();
        let passed = tried.iter().filter(|r| r.passed_at.is_some()).count() as i64;
        Ok(Ok(CertResults {
            title: cert.settings.title.clone(),
            max_attempts: cert.settings.max_attempts,
            threshold: cert.settings.pass_threshold,
            pass_rate: (!tried.is_empty()).then(|| passed * 100 / tried.len() as i64),
            rows,
        }))
    }
    .await;
    flatten(result)
}

pub async fn reset(
    id: CertId,
    user_id: UserId,
    reason: String,
    require_reread: bool,
) -> AppResult<()> {
    let actor = guard::module(Module::Certifications).await?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
    }
    let state = guard::state();
    let now = state.now();
    let origin = guard::origin("admin");
    let result: TxResult<()> =
        async {
            let mut tx = state.db.begin().await?;
            if certs::get_for_update(tx.conn(), id).await?.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            let Some(target) = storage::users::get(tx.conn(), user_id).await? else {
                return Ok(Err(AppError::NotFound));
            };
            if target.status == UserStatus::Pending {
                return Ok(Err(AppError::NotFound));
            }
            store::ensure_progress(tx.conn(), user_id, id, now).await?;
            store::reset(tx.conn(), user_id, id, require_reread, now).await?;
            storage::audit::record(
            tx.conn(),
            &audit_by(&actor.user, AuditAction::ProgressReset, "user", user_id,
                json!({ "certification_id": id, "reason": reason, "require_reread": require_reread,
                        "user": label_of(&target) }), &origin, now),
        )
        .await?;
            storage::events::emit(
                tx.conn(),
                &DomainEvent::ProgressReset {
                    user_id,
                    certification_id: id,
                    by: actor.user.id,
                },
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(()))
        }
        .await;
    flatten(result)
}
