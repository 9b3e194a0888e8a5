//! Starting an attempt: what the rules decide, then the attempt with its drawn questions.

use super::*;
use crate::taking::start_reads::{StartRead, StartReads};
use crate::taking::starts::{QueuedStart, StartPlan, batching, write_openings};
use std::sync::Arc;

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

/// Reads what a start needs and applies the rules, without writing. The certification, its
/// theory and its bank come from the cache; the person's facts are one read.
async fn plan_start(
    c: Conn<'_>,
    caches: &crate::cache::Caches,
    user: UserId,
    cert_id: CertId,
    now: Timestamp,
) -> AppResult<Planned> {
    Ok(match read_for_start(c, caches, user, cert_id).await {
        Ok(reads) => plan_from(reads, now),
        Err(error) => Planned::Refused {
            error,
            newly_read: None,
        },
    })
}

/// What the rules of a start read, one statement at a time (a batch reads them for many
/// starts at once: [`crate::taking::start_reads`]).
async fn read_for_start(
    mut c: Conn<'_>,
    caches: &crate::cache::Caches,
    user: UserId,
    cert_id: CertId,
) -> AppResult<StartReads> {
    let (view, facts) = visible_for_taking(c.re(), caches, user, cert_id).await?;
    let dwell = if StartReads::needs_dwell(&view, &facts) {
        store::dwell(c.re(), user, cert_id).await?
    } else {
        Vec::new()
    };
    let shown = if StartReads::needs_shown(&view, &facts) {
        store::shown_questions(c.re(), user, cert_id).await?
    } else {
        Vec::new()
    };
    Ok(StartReads {
        view,
        facts,
        dwell,
        shown,
    })
}

/// What the rules decide from a start's reads.
fn plan_from(reads: StartReads, now: Timestamp) -> Planned {
    let StartReads {
        view,
        facts,
        dwell,
        shown,
    } = reads;
    if let Some(running) = facts.running {
        return Planned::Running(running);
    }
    let cert = &view.cert;
    let (read, newly_read) = crate::taking::shown::reading_state(
        cert,
        &view.blocks,
        &view.theory_versions,
        &facts,
        &dwell,
        now,
    );
    if let Some(msg) = read.refusal {
        return Planned::Refused {
            error: AppError::refused(msg),
            newly_read: newly_read.then(|| Box::new(cert.clone())),
        };
    }
    let seed: u64 = rand::random();
    let mut last_shown = std::collections::HashMap::new();
    for (number, asked) in shown {
        for q in asked {
            let at = last_shown.entry(q.question_id).or_insert(number);
            *at = (*at).max(number);
        }
    }
    let asked = build_questions_for(
        &view.bank,
        cert.settings.draw_count.map(|n| n as usize),
        cert.settings.shuffle_questions,
        cert.settings.shuffle_options,
        seed,
        &last_shown,
    );
    Planned::Start(Box::new(StartPlan {
        cert: cert.clone(),
        progress: facts.progress,
        newly_read,
        asked,
        seed,
        number: facts.made + 1,
    }))
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

/// Creates the planned attempt in the caller's transaction, with its audit entry; `Running`
/// when another request started one a moment ago.
async fn create_attempt(
    mut c: Conn<'_>,
    user: &User,
    plan: &StartPlan,
    utc_offset: i32,
    taker: &Taker,
    now: Timestamp,
) -> AppResult<Created> {
    let cert = &plan.cert;
    if plan.newly_read {
        record_read(c.re(), user, cert, utc_offset, now).await?;
    } else if plan.progress.is_none() {
        store::ensure_progress(c.re(), user.id, cert.id, now).await?;
    }
    let Some(id) = store::insert(c.re(), &plan.attempt(user.id, now), now).await? else {
        // Another request started it a moment ago: that one is the attempt.
        let running = store::in_progress(c, user.id, cert.id).await?;
        return running
            .map(|a| Created::Running(a.id))
            .ok_or(AppError::Conflict);
    };
    store::attempt_started(c.re(), user.id, cert.id, now).await?;
    let opening = plan.opening(user, id, taker.session(), &taker.origin, now);
    write_openings(c, std::slice::from_ref(&opening), now).await?;
    Ok(Created::New(id))
}

/// What [`create_attempt`] made.
enum Created {
    New(AttemptId),
    Running(AttemptId),
}

/// An attempt that was already in progress: the client resumes it with `current`.
fn running(id: AttemptId) -> Started {
    Started {
        attempt_id: id,
        screen: None,
    }
}

/// The new attempt `id` of `plan`, with its screen (its clock started at `started`); this
/// instance keeps its questions for the moves to them.
async fn fresh(state: &AppState, plan: &StartPlan, id: AttemptId, started: Timestamp) -> Started {
    state.caches.asked.keep(id, plan.asked.clone()).await;
    Started {
        attempt_id: id,
        screen: Some(plan.screen(id, started, state.now())),
    }
}

/// Starts an attempt, with its test screen, or returns the one in progress.
///
/// Most of a start is reading (the certification, the reading, the bank, the history), so it is
/// planned on a read connection, on the server's runtime; the plain start joins a batch
/// ([`crate::taking::starts`]). Anything else takes the one-request path on the writer lane,
/// whose transaction, which holds SQLite's single writer, only checks that the plan still
/// holds and writes. If anything changed meanwhile, the start is planned again inside it.
pub async fn start(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<Started> {
    let now = state.now();
    let (user, planned) = match read_in_batch(state, taker, cert_id).await {
        Some(read) => (read.user, plan_from(read.reads, now)),
        // The session and the plan on one connection.
        None => {
            let mut read = state.db.read().await?;
            let user = taker.member_on(state, read.conn()).await?.user;
            let planned = plan_start(read.conn(), &state.caches, user.id, cert_id, now).await?;
            (user, planned)
        }
    };
    // The plan made outside the transaction, if it is worth checking there.
    let planned: Option<Box<StartPlan>> = match planned {
        Planned::Running(id) => return Ok(running(id)),
        Planned::Refused {
            error,
            newly_read: None,
        } => return Err(error),
        // The reading completes only now: the transaction plans again and records it.
        Planned::Refused { .. } => None,
        Planned::Start(plan) if plan.is_plain() && batching() => {
            let job = Arc::new(QueuedStart {
                user: user.clone(),
                plan: *plan,
                session: taker.session(),
                origin: taker.origin.clone(),
            });
            match state.starts.submit(job.clone()).await {
                Ok(id) => return Ok(fresh(state, &job.plan, id, now).await),
                // Handed back: the one-request path checks the plan again.
                Err(back) => {
                    drop(back);
                    Arc::try_unwrap(job).ok().map(|q| Box::new(q.plan))
                }
            }
        }
        Planned::Start(plan) => Some(plan),
    };
    let (state, taker) = (state.clone(), taker.clone());
    let db = state.db.clone();
    db.on_writer(async move { start_alone(&state, &taker, &user, cert_id, planned, now).await })
        .await
}

/// The member and their start's reads from a batch ([`crate::taking::start_reads`]); `None`
/// when the start reads on its own (the batch handed it back, or batches are off).
async fn read_in_batch(
    state: &AppState,
    taker: &Taker,
    cert: CertId,
) -> Option<crate::taking::start_reads::ReadForStart> {
    let token = taker.token.as_deref().filter(|_| batching())?;
    let job = StartRead {
        token_hash: hash_token(token),
        cert,
    };
    state.start_reads.submit(job).await.ok()
}

/// The one-request path of a start: one transaction that checks the plan (or plans anew) and
/// writes the attempt.
async fn start_alone(
    state: &AppState,
    taker: &Taker,
    user: &User,
    cert_id: CertId,
    planned: Option<Box<StartPlan>>,
    now: Timestamp,
) -> AppResult<Started> {
    let utc_offset = state.config.display_utc_offset_minutes;
    let mut tx = state.db.begin().await?;
    let plan = match planned {
        Some(plan) if plan_holds(tx.conn(), user.id, &plan).await? => plan,
        _ => match plan_start(tx.conn(), &state.caches, user.id, cert_id, now).await? {
            Planned::Start(plan) => plan,
            Planned::Running(id) => return Ok(running(id)),
            Planned::Refused { error, newly_read } => {
                if let Some(cert) = newly_read {
                    // Refused, but the reading is complete: keep that.
                    record_read(tx.conn(), user, &cert, utc_offset, now).await?;
                    tx.commit().await?;
                }
                return Err(error);
            }
        },
    };
    let created = create_attempt(tx.conn(), user, &plan, utc_offset, taker, now).await?;
    tx.commit().await?;
    Ok(match created {
        Created::New(id) => fresh(state, &plan, id, now).await,
        Created::Running(id) => running(id),
    })
}
