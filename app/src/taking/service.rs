//! The rules of taking a certification, enforced by the server whatever the client does.

use super::touches::{Sign, Touch};
use super::{
    AttemptScreen, AttemptSummary, CertResults, ClockAck, MyCert, PreviewData, ReadState,
    ResultState, ResultView, ReviewItem, TestEntry, TheoryData,
};
use crate::auth::cookie::hash_token;
use crate::auth::{Surface, guard};
use crate::domain::actor::{Actor, By, audit_by, label_of};
use crate::domain::attempt::{
    self, AttemptClock, ReviewDepth, Standing, TouchKind, TouchRefusal, build_questions,
    build_questions_for, may_start, review_depth, score,
};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::certification::{CertStatus, Certification, TheoryBlock};
use crate::domain::events::DomainEvent;
use crate::domain::permissions::Module;
use crate::domain::progress::{
    StateInput, all_blocks_read, my_state, still_to_read, theory_is_read,
};
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
    r.map_err(AppError::from)?
}

async fn member() -> AppResult<(AppState, Actor)> {
    let actor = guard::member().await?;
    Ok((guard::state(), actor))
}

/// What a person's standing in a certification is computed from.
struct Facts {
    assigned: bool,
    progress: Option<Progress>,
    running: Option<AttemptId>,
}

async fn facts(mut c: Conn<'_>, user: UserId, cert: CertId) -> Result<Facts, StorageError> {
    Ok(Facts {
        assigned: store::is_assigned(c.re(), user, cert).await?,
        progress: store::progress(c.re(), user, cert).await?,
        running: store::in_progress(c, user, cert).await?.map(|a| a.id),
    })
}

/// [`visible_cert`] with the person's facts in it, read once for the rules that follow.
async fn visible_with_facts(
    mut c: Conn<'_>,
    user: UserId,
    id: CertId,
) -> Result<Result<(Certification, Facts), AppError>, StorageError> {
    let Some(cert) = certs::get(c.re(), id).await? else {
        return Ok(Err(AppError::NotFound));
    };
    if !matches!(cert.status, CertStatus::Open | CertStatus::Closed) {
        return Ok(Err(AppError::NotFound));
    }
    let facts = facts(c, user, id).await?;
    if !facts.assigned && facts.progress.is_none() {
        return Ok(Err(AppError::NotFound));
    }
    Ok(Ok((cert, facts)))
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
    result.map_err(AppError::from)
}

/// Computes (and, when newly complete, records) the reading state at `now`.
async fn read_state(
    mut c: Conn<'_>,
    user: &User,
    cert: &Certification,
    blocks: &[TheoryBlock],
    utc_offset: i32,
    now: Timestamp,
) -> Result<ReadState, StorageError> {
    let facts = facts(c.re(), user.id, cert.id).await?;
    let (read, newly_read) = compute_read_state(c.re(), user.id, cert, blocks, &facts, now).await?;
    if newly_read {
        record_read(c, user, cert, utc_offset, now).await?;
    }
    Ok(read)
}

/// The theory has just been read in full: record it, and the badges that may follow.
async fn record_read(
    mut c: Conn<'_>,
    user: &User,
    cert: &Certification,
    utc_offset: i32,
    now: Timestamp,
) -> Result<(), StorageError> {
    store::ensure_progress(c.re(), user.id, cert.id, now).await?;
    store::mark_read(c.re(), user.id, cert.id, cert.theory_version, now).await?;
    storage::events::emit(
        c.re(),
        &DomainEvent::TheoryRead {
            user_id: user.id,
            certification_id: cert.id,
            version: cert.theory_version,
        },
        now,
    )
    .await?;
    crate::gamification::ledger::evaluate_badges(c, user, utc_offset, now).await?;
    Ok(())
}

/// The reading state at `now`, without writing; `true` when the reading is complete only now
/// and still has to be recorded ([`record_read`]).
async fn compute_read_state(
    mut c: Conn<'_>,
    user: UserId,
    cert: &Certification,
    blocks: &[TheoryBlock],
    facts: &Facts,
    now: Timestamp,
) -> Result<(ReadState, bool), StorageError> {
    let versions: Vec<(i64, bool)> = certs::versions(c.re(), cert.id)
        .await?
        .into_iter()
        .map(|v| (v.version, v.require_reread))
        .collect();
    let progress = facts.progress.clone().unwrap_or_default();
    let in_progress = facts.running.is_some();
    let mut read = theory_is_read(progress.read_version, &versions);
    let mut newly_read = false;
    let remaining_ms = if read {
        vec![0; blocks.len()]
    } else {
        let dwell = store::dwell(c.re(), user, cert.id).await?;
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
            newly_read = true;
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
    let assigned = facts.assigned;
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
    Ok((
        ReadState {
            read,
            remaining_ms,
            in_progress,
            refusal,
        },
        newly_read,
    ))
}

pub async fn theory(cert_id: CertId) -> AppResult<TheoryData> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<TheoryData> = async {
        // A plain read, unless the reading completes only now: that is recorded in a write
        // transaction.
        let mut read = state.db.read().await?;
        match theory_data(&state, read.conn(), actor.user.id, cert_id, now).await? {
            Ok((data, None)) => return Ok(Ok(data)),
            Err(e) => return Ok(Err(e)),
            Ok((_, Some(_))) => drop(read),
        }
        let mut tx = state.db.begin().await?;
        let (data, newly_read) =
            match theory_data(&state, tx.conn(), actor.user.id, cert_id, now).await? {
                Ok(d) => d,
                Err(e) => return Ok(Err(e)),
            };
        if let Some(cert) = newly_read {
            let utc_offset = state.config.display_utc_offset_minutes;
            record_read(tx.conn(), &actor.user, &cert, utc_offset, now).await?;
        }
        tx.commit().await?;
        Ok(Ok(data))
    }
    .await;
    flatten(result)
}

/// The theory pages and the reading state, without writing; with the certification when the
/// reading is complete only now and has to be recorded.
pub use crate::model::taking::TheoryContent;

async fn theory_data(
    state: &AppState,
    mut c: Conn<'_>,
    user: UserId,
    cert_id: CertId,
    now: Timestamp,
) -> TxResult<(TheoryData, Option<Certification>)> {
    let (cert, facts) = match visible_with_facts(c.re(), user, cert_id).await? {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    let versions = crate::cache::Versions::read_on(c.re()).await?;
    let load = async {
        Ok(TheoryContent {
            blocks: certs::blocks(c.re(), cert.id, cert.theory_version)
                .await
                .map_err(AppError::from)?,
            materials: certs::materials(c.re(), cert.id, cert.theory_version)
                .await
                .map_err(AppError::from)?,
        })
    };
    let content = match state
        .caches
        .theory
        .get_at(versions, (cert.id, cert.theory_version), load)
        .await
    {
        Ok(content) => content,
        Err(e) => return Ok(Err(e)),
    };
    let (read, newly_read) =
        compute_read_state(c.re(), user, &cert, &content.blocks, &facts, now).await?;
    let TheoryContent { blocks, materials } = (*content).clone();
    let data = TheoryData {
        cert_id: cert.id,
        title: cert.settings.title.clone(),
        description: cert.settings.description.clone(),
        blocks,
        materials,
        min_read_secs: cert.settings.min_read_secs,
        read,
    };
    Ok(Ok((data, newly_read.then_some(cert))))
}

pub async fn page_shown(cert_id: CertId, block_id: BlockId) -> AppResult<ReadState> {
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ReadState> = async {
        // The checks read on a read connection: SQLite's single writer is held only for the
        // writes and the reading state that follows them.
        let (cert, blocks) = {
            let mut c = state.db.read().await?;
            let cert = match visible_cert(c.conn(), actor.user.id, cert_id).await? {
                Ok(cert) => cert,
                Err(e) => return Ok(Err(e)),
            };
            let blocks = certs::blocks(c.conn(), cert.id, cert.theory_version).await?;
            (cert, blocks)
        };
        if !blocks.iter().any(|b| b.id == block_id) {
            // A page of an older theory version: reload.
            return Ok(Err(AppError::Conflict));
        }
        let mut tx = state.db.begin().await?;
        // While an attempt is in progress the clock is not the reading's business; the time on
        // the theory page is simply not counted for the test (see `leave`).
        store::show_block(tx.conn(), actor.user.id, cert.id, block_id, now).await?;
        crate::gamification::ledger::note_activity(
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
            &blocks,
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

/// What starting an attempt would do, decided from what the rules read.
enum Planned {
    /// An attempt is in progress: starting returns it.
    Running(AttemptId),
    /// Refused; with the certification when its reading is complete only now and still has to
    /// be recorded.
    Refused {
        error: AppError,
        newly_read: Option<Box<Certification>>,
    },
    Start(Box<StartPlan>),
}

/// Everything a new attempt is made of, and what the rules saw when they allowed it.
struct StartPlan {
    cert: Certification,
    progress: Option<Progress>,
    newly_read: bool,
    asked: Vec<attempt::AskedQuestion>,
    seed: u64,
    number: i64,
}

/// Reads what a start needs and applies the rules, without writing.
async fn plan_start(
    mut c: Conn<'_>,
    user: UserId,
    cert_id: CertId,
    now: Timestamp,
) -> Result<Planned, StorageError> {
    let (cert, facts) = match visible_with_facts(c.re(), user, cert_id).await? {
        Ok(v) => v,
        Err(error) => {
            return Ok(Planned::Refused {
                error,
                newly_read: None,
            });
        }
    };
    if let Some(running) = facts.running {
        return Ok(Planned::Running(running));
    }
    let blocks = certs::blocks(c.re(), cert.id, cert.theory_version).await?;
    let (read, newly_read) = compute_read_state(c.re(), user, &cert, &blocks, &facts, now).await?;
    if let Some(msg) = read.refusal {
        return Ok(Planned::Refused {
            error: AppError::refused(msg),
            newly_read: newly_read.then(|| Box::new(cert)),
        });
    }
    let progress = facts.progress;
    let bank: Vec<_> = storage::questions::of_certification(c.re(), cert.id)
        .await?
        .into_iter()
        .map(|q| (q.id, q.revision, q.content))
        .collect();
    let seed: u64 = rand::random();
    let mut last_shown = std::collections::HashMap::new();
    if cert.settings.draw_count.is_some() {
        for (number, asked) in store::shown_questions(c.re(), user, cert.id).await? {
            for q in asked {
                let at = last_shown.entry(q.question_id).or_insert(number);
                *at = (*at).max(number);
            }
        }
    }
    let asked = build_questions_for(
        &bank,
        cert.settings.draw_count.map(|n| n as usize),
        cert.settings.shuffle_questions,
        cert.settings.shuffle_options,
        seed,
        &last_shown,
    );
    let number = history_len(c, user, cert.id).await? + 1;
    Ok(Planned::Start(Box::new(StartPlan {
        cert,
        progress,
        newly_read,
        asked,
        seed,
        number,
    })))
}

/// Whether what the rules saw when planning still holds inside the write transaction: the
/// certification and the person's progress (attempts used, resets, reading) are unchanged.
async fn plan_holds(mut c: Conn<'_>, user: UserId, plan: &StartPlan) -> Result<bool, StorageError> {
    let progress = store::progress_for_update(c.re(), user, plan.cert.id).await?;
    if progress != plan.progress {
        return Ok(false);
    }
    Ok(certs::get(c, plan.cert.id).await?.as_ref() == Some(&plan.cert))
}

/// Creates the planned attempt in the caller's transaction, with its audit entry.
async fn create_attempt(
    mut c: Conn<'_>,
    user: &User,
    plan: &StartPlan,
    utc_offset: i32,
    now: Timestamp,
) -> TxResult<AttemptId> {
    let cert = &plan.cert;
    if plan.newly_read {
        record_read(c.re(), user, cert, utc_offset, now).await?;
    } else if plan.progress.is_none() {
        store::ensure_progress(c.re(), user.id, cert.id, now).await?;
    }
    let clock = AttemptClock::start(
        cert.settings.timer_mode,
        cert.settings.time_limit_secs * 1000,
        now,
    );
    let inserted = store::insert(
        c.re(),
        &store::NewAttempt {
            user: user.id,
            cert: cert.id,
            number: plan.number,
            clock,
            seed: plan.seed,
            questions: &plan.asked,
            pass_threshold: cert.settings.pass_threshold,
        },
        now,
    )
    .await?;
    let Some(id) = inserted else {
        // Another request started it a moment ago: that one is the attempt.
        let running = store::in_progress(c, user.id, cert.id).await?;
        return Ok(running.map(|a| a.id).ok_or(AppError::Conflict));
    };
    store::attempt_started(c.re(), user.id, cert.id, now).await?;
    storage::events::emit(
        c.re(),
        &DomainEvent::AttemptStarted {
            attempt_id: id,
            user_id: user.id,
            certification_id: cert.id,
        },
        now,
    )
    .await?;
    let used_before = plan.progress.as_ref().map_or(0, |p| p.attempts_used);
    let details = json!({ "certification_id": cert.id, "number": plan.number, "attempts_used_before": used_before });
    storage::audit::record(
        c,
        &audit_by(
            user,
            AuditAction::AttemptStarted,
            "attempt",
            id,
            details,
            &guard::origin("miniapp"),
            now,
        ),
    )
    .await?;
    Ok(Ok(id))
}

/// Starts an attempt, or returns the one in progress.
///
/// Most of a start is reading (the certification, the reading, the bank, the history), so it is
/// planned on a read connection; the write transaction, which holds SQLite's single writer,
/// only checks that the plan still holds and writes. If anything changed meanwhile, the start
/// is planned again inside the transaction.
pub async fn start(cert_id: CertId) -> AppResult<AttemptId> {
    let (state, actor) = member().await?;
    let now = state.now();
    let utc_offset = state.config.display_utc_offset_minutes;
    let user = &actor.user;
    let result: TxResult<AttemptId> = async {
        let planned = {
            let mut read = state.db.read().await?;
            plan_start(read.conn(), user.id, cert_id, now).await?
        };
        let planned = match planned {
            Planned::Running(id) => return Ok(Ok(id)),
            Planned::Refused {
                error,
                newly_read: None,
            } => return Ok(Err(error)),
            other => other,
        };
        let mut tx = state.db.begin().await?;
        let plan = match planned {
            Planned::Start(plan) if plan_holds(tx.conn(), user.id, &plan).await? => plan,
            _ => match plan_start(tx.conn(), user.id, cert_id, now).await? {
                Planned::Start(plan) => plan,
                Planned::Running(id) => return Ok(Ok(id)),
                Planned::Refused { error, newly_read } => {
                    if let Some(cert) = newly_read {
                        // Refused, but the reading is complete: keep that.
                        record_read(tx.conn(), user, &cert, utc_offset, now).await?;
                        tx.commit().await?;
                    }
                    return Ok(Err(error));
                }
            },
        };
        let created = create_attempt(tx.conn(), user, &plan, utc_offset, now).await?;
        tx.commit().await?;
        Ok(created)
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
    let scored = storage::analytics::Scored {
        attempt: a.id,
        cert: a.certification_id,
        first: a.number == 1,
        asked: &asked,
    };
    storage::analytics::record_facts(
        c.re(),
        &scored,
        &crate::domain::stats::answer_facts(&asked, &answers),
    )
    .await?;
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
    let action = if reason == "timeout" {
        AuditAction::AttemptTimedOut
    } else {
        AuditAction::AttemptFinished
    };
    let entry = match by {
        Some(u) => audit_by(u, action, "attempt", a.id, details, origin, now),
        None => AuditEntry {
            at: now,
            actor_id: None,
            actor_label: "server".into(),
            action,
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
    if a.must_end(now) {
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
    if !guard::is_server_fn_call() {
        // The page is being rendered: show the attempt as it stands, change nothing. The
        // hydrated page resumes it with its own request.
        return flatten(peek_current(&state, actor.user.id, cert_id, now).await);
    }
    if let Some(entry) = resume_batched(&state, actor.user.id, cert_id)
        .await
        .map_err(AppError::from)?
    {
        return entry;
    }
    // Not the plain case (finished, overdue, a refused touch): one transaction.
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
        clock.resume(now);
        store::save_clock(tx.conn(), a.id, &clock, a.current_index, now).await?;
        let screen = screen(tx.conn(), &cert, &a, clock.remaining(now)).await?;
        tx.commit().await?;
        Ok(Ok(TestEntry::Attempt(screen)))
    }
    .await;
    flatten(result)
}

/// The test screen of a running attempt, read with the time the caller computed.
async fn screen(
    mut c: Conn<'_>,
    cert: &Certification,
    a: &AttemptLite,
    remaining_ms: i64,
) -> Result<AttemptScreen, StorageError> {
    let asked = store::questions(c.re(), a.id).await?;
    let answers = store::answers(c, a.id, asked.len()).await?;
    Ok(AttemptScreen {
        attempt_id: a.id,
        cert_id: cert.id,
        title: cert.settings.title.clone(),
        number: a.number,
        mode: a.timer_mode,
        questions: asked.iter().map(|q| q.view()).collect(),
        answers,
        current_index: a.current_index,
        remaining_ms,
    })
}

/// [`current`] for a page render: read only. An attempt that is over but not finished yet
/// goes to its result page, which finishes it from the client.
async fn peek_current(
    state: &AppState,
    user: UserId,
    cert_id: CertId,
    now: Timestamp,
) -> TxResult<TestEntry> {
    let mut c = state.db.read().await?;
    let cert = match visible_cert(c.conn(), user, cert_id).await? {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let Some(a) = store::in_progress(c.conn(), user, cert.id).await? else {
        return Ok(Ok(TestEntry::None));
    };
    if a.must_end(now) {
        return Ok(Ok(TestEntry::Finished(a.id)));
    }
    let remaining = a.clock().remaining(now);
    Ok(Ok(TestEntry::Attempt(
        screen(c.conn(), &cert, &a, remaining).await?,
    )))
}

/// The plain case of [`current`]: the running attempt is read from a read connection and the
/// return to the test screen is a touch batched with answers and heartbeats, so resuming takes
/// nothing from the single writer but its share of a batch. `None`: take the ordinary path.
async fn resume_batched(
    state: &AppState,
    user: UserId,
    cert_id: CertId,
) -> Result<Option<AppResult<TestEntry>>, StorageError> {
    let (cert, running) = {
        let mut read = state.db.read().await?;
        let cert = match visible_cert(read.conn(), user, cert_id).await? {
            Ok(c) => c,
            Err(e) => return Ok(Some(Err(e))),
        };
        let Some(running) = store::in_progress(read.conn(), user, cert.id).await? else {
            return Ok(Some(Ok(TestEntry::None)));
        };
        (cert, running)
    };
    let Ok(ack) = touch_batched(running.id, running.current_index, Sign::Resume).await else {
        return Ok(None);
    };
    // Read after the touch committed: every acknowledged answer is in.
    let mut read = state.db.read().await?;
    Ok(Some(Ok(TestEntry::Attempt(
        screen(read.conn(), &cert, &running, ack.remaining_ms).await?,
    ))))
}

fn ack(a: &AttemptLite, clock: &AttemptClock, now: Timestamp) -> ClockAck {
    ClockAck {
        remaining_ms: clock.remaining(now),
        finished: (!a.in_progress()).then_some(a.id),
    }
}

/// The plain case of an answer or a heartbeat, batched with others (see [`super::touches`]).
/// `Err` gives the answer back for the ordinary path.
async fn touch_batched(id: AttemptId, index: i64, sign: Sign) -> Result<ClockAck, Sign> {
    let Some(token) = guard::session_token(Surface::MiniApp) else {
        return Err(sign);
    };
    let touch = Touch {
        attempt: id,
        session: hash_token(&token),
        index,
        sign,
    };
    guard::state()
        .touches
        .submit(touch)
        .await
        .map_err(|t| t.sign)
}

pub async fn save_answer(id: AttemptId, index: i64, answer: Vec<u32>) -> AppResult<ClockAck> {
    let answer = match touch_batched(id, index, Sign::Answer(answer)).await {
        Ok(ack) => return Ok(ack),
        Err(Sign::Answer(answer)) => answer,
        Err(_) => Vec::new(),
    };
    // Not the plain case: one transaction, with the exact refusal.
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
        match attempt::touch(
            &mut clock,
            a.running(),
            &a.shapes,
            index,
            TouchKind::Answer(&answer),
            now,
        ) {
            Ok(_) => {}
            Err(TouchRefusal::BadAnswer) => {
                return Ok(Err(AppError::invalid("answer", Msg::ErrBadAnswer)));
            }
            Err(TouchRefusal::Over | TouchRefusal::MustFinish) => {
                tx.commit().await?;
                return Ok(Err(AppError::refused(Msg::ErrAttemptOver)));
            }
        }
        store::save_answer(tx.conn(), id, index, &answer, now).await?;
        store::save_clock(tx.conn(), id, &clock, index, now).await?;
        tx.commit().await?;
        Ok(Ok(ack(&a, &clock, now)))
    }
    .await;
    flatten(result)
}

pub async fn heartbeat(id: AttemptId, index: i64) -> AppResult<ClockAck> {
    if let Ok(ack) = touch_batched(id, index, Sign::Heartbeat).await {
        return Ok(ack);
    }
    let (state, actor) = member().await?;
    let now = state.now();
    let result: TxResult<ClockAck> = async {
        let mut tx = state.db.begin().await?;
        // An attempt that is over is finished here (time out, closed certification).
        let a = match own_attempt(tx.conn(), &actor.user, id, now).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        let mut clock = a.clock();
        if a.in_progress() {
            match attempt::touch(
                &mut clock,
                a.running(),
                &a.shapes,
                index,
                TouchKind::Heartbeat,
                now,
            ) {
                Ok(index) => store::save_clock(tx.conn(), id, &clock, index, now).await?,
                Err(_) => clock = a.clock(),
            }
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

/// Applies the new events (points, badges, then the cache versions) at once instead of at the
/// next job tick.
async fn apply_events(state: &AppState) {
    if let Err(e) = crate::gamification::consumer::process_events(state).await {
        tracing::warn!(error = %e, "gamification will catch up at the next tick");
    }
    crate::cache::consumer::catch_up(state).await;
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

pub async fn result(id: AttemptId) -> AppResult<ResultState> {
    let (state, actor) = member().await?;
    let now = state.now();
    if !guard::is_server_fn_call() {
        // A page render only reads: an attempt that is over but not finished yet shows
        // "finishing…", and the hydrated page finishes it with its own request.
        let result: TxResult<ResultState> = async {
            let mut c = state.db.read().await?;
            let Some(a) = store::get(c.conn(), id)
                .await?
                .filter(|a| a.user_id == actor.user.id)
            else {
                return Ok(Err(AppError::NotFound));
            };
            if a.must_end(now) {
                return Ok(Ok(ResultState::Finishing));
            }
            Ok(result_view(c.conn(), &a).await?.map(ResultState::Ready))
        }
        .await;
        return flatten(result);
    }
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
    let view = flatten(result)?;
    apply_events(&state).await;
    Ok(ResultState::Ready(view))
}

pub async fn history(cert_id: CertId) -> AppResult<Vec<AttemptSummary>> {
    let (state, actor) = member().await?;
    let mut c = state.db.read().await.map_err(AppError::from)?;
    store::history(c.conn(), actor.user.id, cert_id)
        .await
        .map_err(AppError::from)
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
        let Some(cert) = certs::get(c.conn(), a.certification_id).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let p = store::progress(c.conn(), a.user_id, a.certification_id)
            .await?
            .unwrap_or_default();
        let running = store::in_progress(c.conn(), a.user_id, a.certification_id)
            .await?
            .is_some();
        let depth = review_depth(
            cert.settings.review_allowed,
            cert.status == CertStatus::Open,
            cert.settings.max_attempts,
            Standing {
                attempts_used: p.attempts_used,
                best_percent: p.best_percent,
                in_progress: running,
            },
        );
        let Some(depth) = depth else {
            return Ok(Err(AppError::refused(Msg::ErrReviewClosed)));
        };
        let full = depth == ReviewDepth::Full;
        let asked = store::questions(c.conn(), id).await?;
        let answers = store::answers(c.conn(), id, asked.len()).await?;
        Ok(Ok(asked
            .iter()
            .zip(answers)
            .map(|(q, answer)| ReviewItem {
                question: q.view(),
                is_right: answer.as_deref().is_some_and(|x| q.is_right(x)),
                answer,
                right: full.then(|| q.right_answer()),
                explanation: full.then(|| q.content.explanation.clone()),
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
            && a.must_end(now)
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
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let result: TxResult<CertResults> = async {
        let mut c = state.db.read().await?;
        let Some(cert) = certs::get(c.conn(), id).await? else {
            return Ok(Err(AppError::NotFound));
        };
        let rows = store::results(c.conn(), id, &actor.scope).await?;
        let tried: Vec<_> = rows.iter().filter(|r| r.best_percent.is_some()).collect();
        let passed = tried.iter().filter(|r| r.passed_at.is_some()).count() as i64;
        Ok(Ok(CertResults {
            title: cert.settings.title.clone(),
            max_attempts: cert.settings.max_attempts,
            threshold: cert.settings.pass_threshold,
            pass_rate: (!tried.is_empty()).then(|| passed * 100 / tried.len() as i64),
            review_allowed: cert.settings.review_allowed,
            open: cert.status == CertStatus::Open,
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
    // From the certification's results (certifications module) or the user card (users module).
    let actor = guard::admin().await?;
    if !actor.modules.contains(Module::Users) {
        crate::auth::service::require(&actor, Module::Certifications)?;
    }
    reset_as(
        &guard::state(),
        &By::Person(actor),
        &guard::origin("admin"),
        id,
        user_id,
        &reason,
        require_reread,
    )
    .await
}

/// Resets a person's progress in a certification as `by` (the panel, or an API key): the
/// attempts so far stop counting, the result stays in the history.
pub async fn reset_as(
    state: &AppState,
    by: &By,
    origin: &Origin,
    id: CertId,
    user_id: UserId,
    reason: &str,
    require_reread: bool,
) -> AppResult<()> {
    crate::domain::permissions::may_change_rewards_or_progress(by.as_ref(), user_id)?;
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
    }
    let now = state.now();
    let result: TxResult<()> =
        async {
            let mut tx = state.db.begin().await?;
            if certs::get_for_update(tx.conn(), id).await?.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            let Some(target) = storage::users::get_in_scope(tx.conn(), user_id, by.scope()).await?
            else {
                return Ok(Err(AppError::NotFound));
            };
            if target.status == UserStatus::Pending {
                return Ok(Err(AppError::NotFound));
            }
            store::ensure_progress(tx.conn(), user_id, id, now).await?;
            store::reset(tx.conn(), user_id, id, require_reread, now).await?;
            storage::audit::record(
            tx.conn(),
            &by.audit(AuditAction::ProgressReset, "user", user_id,
                json!({ "certification_id": id, "reason": reason, "require_reread": require_reread,
                        "user": label_of(&target) }), origin, now),
        )
        .await?;
            storage::events::emit(
                tx.conn(),
                &DomainEvent::ProgressReset {
                    user_id,
                    certification_id: id,
                    by: by.user_id(),
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
