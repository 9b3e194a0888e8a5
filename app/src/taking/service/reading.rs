//! Reading: the certifications a member sees, the theory and its reading state.

use super::*;
use crate::taking::shown::{self, QueuedShown};
use std::sync::Arc;

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
    c: Conn<'_>,
    user: UserId,
    cert: &Certification,
    blocks: &[TheoryBlock],
    versions: &[(i64, bool)],
    facts: &Facts,
    now: Timestamp,
) -> Result<(ReadState, bool), StorageError> {
    let read_before = facts
        .progress
        .as_ref()
        .is_some_and(|p| theory_is_read(p.read_version, versions));
    // The time on screen matters only while the theory is not read.
    let dwell = if read_before {
        Vec::new()
    } else {
        store::dwell(c, user, cert.id).await?
    };
    Ok(crate::taking::shown::reading_state(
        cert, blocks, versions, facts, &dwell, now,
    ))
}

pub async fn theory(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<TheoryData> {
    let now = state.now();
    // A plain read on one connection (the session too), unless the reading completes only
    // now: that is recorded in a write transaction.
    let mut read = state.db.read().await?;
    let actor = taker.member_on(state, read.conn()).await?;
    async {
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
    // The certification, its theory's versions and pages come from the caches: a theory
    // page costs the cache versions, the person's standing and, while unread, their time on
    // the pages.
    let versions = crate::cache::Versions::read_on(c.re()).await?;
    let (view, facts) =
        visible_for_taking_at(c.re(), &state.caches, versions, user.id, cert_id).await?;
    let cert = &view.cert;
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
    let (read, newly_read) = compute_read_state(
        c.re(),
        user.id,
        cert,
        &content.blocks,
        &view.theory_versions,
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
    Ok((data, newly_read.then(|| cert.clone())))
}

/// A theory page is on screen. Planned on a read connection on the server's runtime and
/// written in a batch ([`crate::taking::shown`]); when the plan no longer holds, one
/// transaction on the writer lane.
pub async fn page_shown(
    state: &AppState,
    taker: &Taker,
    cert_id: CertId,
    block_id: BlockId,
) -> AppResult<ReadState> {
    let now = state.now();
    let (user, view, facts) = {
        let mut c = state.db.read().await?;
        let user = taker.member_on(state, c.conn()).await?.user;
        let (view, facts) = visible_for_taking(c.conn(), &state.caches, user.id, cert_id).await?;
        (user, view, facts)
    };
    if !view.blocks.iter().any(|b| b.id == block_id) {
        // A page of an older theory version: reload.
        return Err(AppError::Conflict);
    }
    // A page is a day of activity, written once a day (the launch has usually done it).
    let offset = state.config.display_utc_offset_minutes;
    let day = crate::domain::gamification::day_number(now, offset);
    let new_day = !state.days_noted.has(user.id, day);
    if shown::batching() {
        let job = Arc::new(QueuedShown {
            user: user.clone(),
            view: view.clone(),
            block: block_id,
            facts,
            new_day,
        });
        // Handed back when the plan no longer held: the one-request path below.
        if let Ok(read) = state.shown.submit(job).await {
            if new_day {
                state.days_noted.noted([user.id], day);
            }
            return Ok(read);
        }
    }
    let state = state.clone();
    let db = state.db.clone();
    db.on_writer(async move {
        let mut tx = state.db.begin().await?;
        // While an attempt is in progress the clock is not the reading's business; the time on
        // the theory page is simply not counted for the test (see `leave`).
        store::show_block(tx.conn(), user.id, view.cert.id, block_id, now).await?;
        if new_day {
            crate::gamification::ledger::note_activity(tx.conn(), &user, offset, now).await?;
        }
        let read = read_state(tx.conn(), &user, &view.cert, &view.blocks, offset, now).await?;
        tx.commit().await?;
        if new_day {
            state.days_noted.noted([user.id], day);
        }
        Ok(read)
    })
    .await
}
