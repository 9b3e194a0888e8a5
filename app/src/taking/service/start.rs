//! Starting an attempt: what the rules decide, then the attempt with its drawn questions.

use super::*;

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
) -> AppResult<Planned> {
    let (cert, facts) = match visible_with_facts(c.re(), user, cert_id).await {
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
    taker: &Taker,
    now: Timestamp,
) -> AppResult<AttemptId> {
    let origin = &taker.origin;
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
    )
    .with_away_limit(cert.settings.away_limit_secs.map(|s| s * 1000));
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
        return running.map(|a| a.id).ok_or(AppError::Conflict);
    };
    store::attempt_started(c.re(), user.id, cert.id, now).await?;
    // The integrity record opens with the start and the first question on screen.
    let event = |kind, question_index| store::NewEvent {
        attempt: id,
        kind,
        question_index,
        away_ms: None,
        session: taker.session(),
    };
    store::record_events(
        c.re(),
        &[event("started", None), event("shown", Some(0))],
        now,
    )
    .await?;
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
            origin,
            now,
        ),
    )
    .await?;
    Ok(id)
}

/// Starts an attempt, or returns the one in progress.
///
/// Most of a start is reading (the certification, the reading, the bank, the history), so it is
/// planned on a read connection; the write transaction, which holds SQLite's single writer,
/// only checks that the plan still holds and writes. If anything changed meanwhile, the start
/// is planned again inside the transaction.
pub async fn start(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<AttemptId> {
    let actor = taker.member(state).await?;
    let now = state.now();
    let utc_offset = state.config.display_utc_offset_minutes;
    let user = &actor.user;
    async {
        let planned = {
            let mut read = state.db.read().await?;
            plan_start(read.conn(), user.id, cert_id, now).await?
        };
        let planned = match planned {
            Planned::Running(id) => return Ok(id),
            Planned::Refused {
                error,
                newly_read: None,
            } => return Err(error),
            other => other,
        };
        let mut tx = state.db.begin().await?;
        let plan = match planned {
            Planned::Start(plan) if plan_holds(tx.conn(), user.id, &plan).await? => plan,
            _ => match plan_start(tx.conn(), user.id, cert_id, now).await? {
                Planned::Start(plan) => plan,
                Planned::Running(id) => return Ok(id),
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
        Ok(created)
    }
    .await
}

async fn history_len(c: Conn<'_>, user: UserId, cert: CertId) -> Result<i64, StorageError> {
    Ok(store::history(c, user, cert).await?.len() as i64)
}
