//! Reading: the certifications a member sees, the theory and its reading state.

use super::*;

pub async fn my_certifications(state: &AppState, taker: &Taker) -> AppResult<Vec<MyCert>> {
    let actor = taker.member(state).await?;
    let now = state.now();
    // Managers and admins earn nothing by taking a certification.
    let employee = actor.user.role == crate::domain::user::Role::Employee;
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
            let rules = CertRules {
                closes_at: r.closes_at,
                time_limit_secs: r.time_limit_secs,
                timer_mode: r.timer_mode,
                away_limit_secs: r.away_limit_secs,
                max_attempts: r.max_attempts,
                attempts_used: r.attempts_used.unwrap_or(0),
                pass_threshold: r.pass_threshold,
                points: employee.then_some(r.points),
            };
            let state = r.state(&versions, remaining);
            out.push(MyCert {
                id: r.id,
                title: r.title,
                state,
                closes_at: r.closes_at,
                time_limit_secs: r.time_limit_secs,
                rules,
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
    let versions = theory_versions(c.re(), cert.id).await?;
    let (read, newly_read) =
        compute_read_state(c.re(), user.id, cert, blocks, &versions, &facts, now).await?;
    if newly_read {
        record_read(c, user, cert, utc_offset, now).await?;
    }
    Ok(read)
}

/// Every theory version of a certification with its "read again" flag, newest first.
async fn theory_versions(c: Conn<'_>, cert: CertId) -> Result<Vec<(i64, bool)>, StorageError> {
    Ok(certs::versions(c, cert)
        .await?
        .into_iter()
        .map(|v| (v.version, v.require_reread))
        .collect())
}

/// The theory has just been read in full: record it, and the badges that may follow.
pub(super) async fn record_read(
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
pub(super) async fn compute_read_state(
    mut c: Conn<'_>,
    user: UserId,
    cert: &Certification,
    blocks: &[TheoryBlock],
    versions: &[(i64, bool)],
    facts: &Facts,
    now: Timestamp,
) -> Result<(ReadState, bool), StorageError> {
    let progress = facts.progress.clone().unwrap_or_default();
    let in_progress = facts.running.is_some();
    let mut read = theory_is_read(progress.read_version, versions);
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

pub async fn theory(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<TheoryData> {
    let actor = taker.member(state).await?;
    let now = state.now();
    async {
        // A plain read, unless the reading completes only now: that is recorded in a write
        // transaction.
        let mut read = state.db.read().await?;
        match theory_data(state, read.conn(), &actor.user, cert_id, now).await? {
            (data, None) => return Ok(data),
            (_, Some(_)) => drop(read),
        }
        let mut tx = state.db.begin().await?;
        let (data, newly_read) = theory_data(state, tx.conn(), &actor.user, cert_id, now).await?;
        if let Some(cert) = newly_read {
            let utc_offset = state.config.display_utc_offset_minutes;
            record_read(tx.conn(), &actor.user, &cert, utc_offset, now).await?;
        }
        tx.commit().await?;
        Ok(data)
    }
    .await
}

/// The theory pages and the reading state, without writing; with the certification when the
/// reading is complete only now and has to be recorded.
pub use crate::model::taking::TheoryContent;

async fn theory_data(
    state: &AppState,
    mut c: Conn<'_>,
    user: &User,
    cert_id: CertId,
    now: Timestamp,
) -> AppResult<(TheoryData, Option<Certification>)> {
    let (cert, facts) = visible_with_facts(c.re(), user.id, cert_id).await?;
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
        Err(e) => return Err(e),
    };
    let theory = theory_versions(c.re(), cert.id).await?;
    let (read, newly_read) = compute_read_state(
        c.re(),
        user.id,
        &cert,
        &content.blocks,
        &theory,
        &facts,
        now,
    )
    .await?;
    let s = &cert.settings;
    let rules = CertRules {
        closes_at: s.closes_at,
        time_limit_secs: s.time_limit_secs,
        timer_mode: s.timer_mode,
        away_limit_secs: s.away_limit_secs,
        max_attempts: s.max_attempts,
        attempts_used: facts.progress.as_ref().map_or(0, |p| p.attempts_used),
        pass_threshold: s.pass_threshold,
        points: (user.role == crate::domain::user::Role::Employee).then_some(s.points),
    };
    let TheoryContent { blocks, materials } = (*content).clone();
    let data = TheoryData {
        cert_id: cert.id,
        title: cert.settings.title.clone(),
        description: cert.settings.description.clone(),
        blocks,
        materials,
        min_read_secs: cert.settings.min_read_secs,
        read,
        rules,
    };
    Ok((data, newly_read.then_some(cert)))
}

pub async fn page_shown(
    state: &AppState,
    taker: &Taker,
    cert_id: CertId,
    block_id: BlockId,
) -> AppResult<ReadState> {
    let actor = taker.member(state).await?;
    let now = state.now();
    async {
        // The checks read on a read connection: SQLite's single writer is held only for the
        // writes and the reading state that follows them.
        let view = {
            let mut c = state.db.read().await?;
            visible_for_taking(c.conn(), &state.caches, actor.user.id, cert_id)
                .await?
                .0
        };
        let (cert, blocks) = (&view.cert, &view.blocks);
        if !blocks.iter().any(|b| b.id == block_id) {
            // A page of an older theory version: reload.
            return Err(AppError::Conflict);
        }
        let mut tx = state.db.begin().await?;
        // While an attempt is in progress the clock is not the reading's business; the time on
        // the theory page is simply not counted for the test (see `leave`).
        store::show_block(tx.conn(), actor.user.id, cert.id, block_id, now).await?;
        // A page is a day of activity, written once a day (the launch has usually done it).
        let offset = state.config.display_utc_offset_minutes;
        let day = crate::domain::gamification::day_number(now, offset);
        let new_day = !state.days_noted.has(actor.user.id, day);
        if new_day {
            crate::gamification::ledger::note_activity(tx.conn(), &actor.user, offset, now).await?;
        }
        let read = read_state(
            tx.conn(),
            &actor.user,
            cert,
            blocks,
            state.config.display_utc_offset_minutes,
            now,
        )
        .await?;
        tx.commit().await?;
        if new_day {
            state.days_noted.noted([actor.user.id], day);
        }
        Ok(read)
    }
    .await
}
