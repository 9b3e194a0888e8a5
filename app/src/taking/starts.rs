//! Group commit of starts: the attempts that many people start at the same moment (a scheduled
//! opening) are written together, a few statements and one commit per batch instead of a
//! transaction of ten statements each behind SQLite's single writer. What a new attempt is
//! made of ([`StartPlan`], its [`Opening`]) lives here too: the one-request path in
//! `service::start` writes it the same way.
//!
//! A start is planned on a read connection (`service::start`); the batch checks in its
//! transaction that what the plan saw still holds (the certification, the person's progress
//! row) and writes the plain case: a person who has a progress row and whose reading was
//! recorded before. A plan that no longer holds, a second start of the same person in one
//! batch, an attempt already in progress or a database error hands the start back, and the
//! caller takes the one-request path, which plans again inside its transaction.

use crate::domain::actor::audit_by;
use crate::domain::attempt::{AskedQuestion, AttemptClock};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::certification::{Certification, TimerMode};
use crate::domain::clock::Clock;
use crate::domain::events::DomainEvent;
use crate::domain::user::User;
use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::model::taking::AttemptScreen;
use crate::storage::attempts::{self as store, Progress};
use crate::storage::certifications as certs;
use crate::storage::{Conn, Db, StorageResult, audit, events};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Whether starts go through batches; `ATTEST_START_BATCH=off` takes the one-request path for
/// every start (to compare in one build).
pub(crate) fn batching() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| !std::env::var("ATTEST_START_BATCH").is_ok_and(|v| v == "off"))
}

/// A planned start waiting for its batch.
pub struct QueuedStart {
    pub user: User,
    pub plan: StartPlan,
    /// The session's label in the integrity record.
    pub session: Option<String>,
    pub origin: Origin,
}

/// Starts written in batches: `submit` gives a start back when the plan no longer held.
pub type StartWriter = GroupCommit<Starts>;

pub fn start_writer(db: Db, clock: Arc<dyn Clock>) -> StartWriter {
    GroupCommit::new(Starts { db, clock })
}

pub struct Starts {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl BatchWrite for Starts {
    type Job = Arc<QueuedStart>;
    type Done = AttemptId;
    /// 20 parameters an attempt's row: 5,120, inside both backends' limits.
    const MAX_BATCH: usize = 256;

    fn db(&self) -> &Db {
        &self.db
    }

    fn key(start: &Arc<QueuedStart>) -> u64 {
        start.user.id.0 as u64
    }

    async fn write(&self, starts: &[Arc<QueuedStart>]) -> Vec<Option<AttemptId>> {
        write_batch(&self.db, starts, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Nothing was committed: each start is retried on its own path.
                tracing::warn!(error = %e, starts = starts.len(), "batched starts failed");
                vec![None; starts.len()]
            })
    }
}

/// Writes the starts whose plans still hold in one transaction; `None` for the others.
async fn write_batch(
    db: &Db,
    starts: &[Arc<QueuedStart>],
    now: Timestamp,
) -> StorageResult<Vec<Option<AttemptId>>> {
    let mut by_cert: BTreeMap<CertId, Vec<usize>> = BTreeMap::new();
    for (i, s) in starts.iter().enumerate() {
        by_cert.entry(s.plan.cert.id).or_default().push(i);
    }
    let mut tx = db.begin().await?;
    let mut holds = vec![false; starts.len()];
    for (cert_id, jobs) in &by_cert {
        let cert = certs::get(tx.conn(), *cert_id).await?;
        let mut users: Vec<UserId> = jobs.iter().map(|&i| starts[i].user.id).collect();
        users.sort_unstable();
        users.dedup();
        let progress: HashMap<UserId, store::Progress> =
            store::progress_many_for_update(tx.conn(), *cert_id, &users)
                .await?
                .into_iter()
                .collect();
        let mut seen = HashSet::new();
        for &i in jobs {
            let s = &starts[i];
            // A second start of the same person in one batch (a double tap) finds the first's
            // attempt on its own path.
            holds[i] = s.plan.is_plain()
                && cert.as_ref() == Some(&s.plan.cert)
                && progress.get(&s.user.id) == s.plan.progress.as_ref()
                && seen.insert(s.user.id);
        }
    }
    let rows: Vec<store::NewAttempt<'_>> = starts
        .iter()
        .zip(&holds)
        .filter(|(_, holds)| **holds)
        .map(|(s, _)| s.plan.attempt(s.user.id, now))
        .collect();
    let inserted: HashMap<(UserId, CertId), AttemptId> = store::insert_many(tx.conn(), &rows, now)
        .await?
        .into_iter()
        .map(|(user, cert, id)| ((user, cert), id))
        .collect();
    let ids: Vec<Option<AttemptId>> = starts
        .iter()
        .zip(&holds)
        .map(|(s, holds)| {
            holds
                .then(|| inserted.get(&(s.user.id, s.plan.cert.id)).copied())
                .flatten()
        })
        .collect();
    let mut openings: Vec<Opening> = Vec::new();
    for (cert_id, jobs) in &by_cert {
        let started: Vec<UserId> = jobs
            .iter()
            .filter(|&&i| ids[i].is_some())
            .map(|&i| starts[i].user.id)
            .collect();
        store::attempts_started(tx.conn(), *cert_id, &started, now).await?;
    }
    for (s, id) in starts.iter().zip(&ids) {
        if let Some(id) = id {
            openings.push(
                s.plan
                    .opening(&s.user, *id, s.session.clone(), &s.origin, now),
            );
        }
    }
    write_openings(tx.conn(), &openings, now).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Everything a new attempt is made of, and what the rules saw when they allowed it.
pub struct StartPlan {
    pub cert: Certification,
    pub progress: Option<Progress>,
    pub newly_read: bool,
    pub asked: Vec<AskedQuestion>,
    pub seed: u64,
    pub number: i64,
}

impl StartPlan {
    /// The plain case a batch of starts writes: the person has a progress row and their reading
    /// was recorded before (the rest takes the one-request path).
    pub(crate) fn is_plain(&self) -> bool {
        self.progress.is_some() && !self.newly_read
    }

    /// The attempt's clock, starting `now`.
    fn clock(&self, now: Timestamp) -> AttemptClock {
        let settings = &self.cert.settings;
        AttemptClock::start(settings.timer_mode, settings.time_limit_secs * 1000, now)
            .with_away_limit(settings.away_limit_secs.map(|s| s * 1000))
    }

    /// The attempt's row, its clock starting `now`.
    pub(crate) fn attempt(&self, user: UserId, now: Timestamp) -> store::NewAttempt<'_> {
        let settings = &self.cert.settings;
        store::NewAttempt {
            user,
            cert: self.cert.id,
            number: self.number,
            clock: self.clock(now),
            seed: self.seed,
            questions: &self.asked,
            pass_threshold: settings.pass_threshold,
        }
    }

    /// The test screen of the new attempt `id` as `current` shows it: the first question on
    /// screen (in pause mode the others come when the user moves to them), nothing answered,
    /// and the time left at `now` of a clock started at `started`. A batch starts the clock a
    /// little after the request's `started`: the time shown is never more than is left.
    pub(crate) fn screen(
        &self,
        id: AttemptId,
        started: Timestamp,
        now: Timestamp,
    ) -> AttemptScreen {
        let settings = &self.cert.settings;
        let clock = self.clock(started);
        let pause = settings.timer_mode == TimerMode::PauseWhileAway;
        AttemptScreen {
            attempt_id: id,
            cert_id: self.cert.id,
            title: settings.title.clone(),
            number: self.number,
            mode: settings.timer_mode,
            questions: (self.asked.iter().enumerate())
                .map(|(i, q)| (!pause || i == 0).then(|| q.view()))
                .collect(),
            answers: vec![None; self.asked.len()],
            current_index: 0,
            remaining_ms: clock.remaining(now),
            away_limit_ms: clock.away_limit_ms,
        }
    }

    /// What a new attempt `id` writes beside its row: the integrity record's opening (the start
    /// and the first question on screen), the domain event and the audit entry with its label.
    pub(crate) fn opening(
        &self,
        user: &User,
        id: AttemptId,
        session: Option<String>,
        origin: &Origin,
        now: Timestamp,
    ) -> Opening {
        let event = |kind, question_index| store::NewEvent {
            attempt: id,
            kind,
            question_index,
            away_ms: None,
            session: session.clone(),
        };
        let cert = &self.cert;
        let used_before = self.progress.as_ref().map_or(0, |p| p.attempts_used);
        let details = json!({ "certification_id": cert.id, "number": self.number, "attempts_used_before": used_before });
        Opening {
            record: [event("started", None), event("shown", Some(0))],
            event: DomainEvent::AttemptStarted {
                attempt_id: id,
                user_id: user.id,
                certification_id: cert.id,
            },
            audit: audit_by(
                user,
                AuditAction::AttemptStarted,
                "attempt",
                id,
                details,
                origin,
                now,
            ),
            label: audit::attempt_label(&user.first_name, &user.last_name, &cert.settings.title),
        }
    }
}

/// What a new attempt writes beside its row.
pub(crate) struct Opening {
    record: [store::NewEvent; 2],
    event: DomainEvent,
    audit: AuditEntry,
    label: String,
}

/// Writes the openings of new attempts (the ordinary path's one, a batch's many) with one
/// statement per table.
pub(crate) async fn write_openings(
    mut c: Conn<'_>,
    openings: &[Opening],
    now: Timestamp,
) -> StorageResult<()> {
    let record: Vec<store::NewEvent> = openings
        .iter()
        .flat_map(|o| o.record.iter().cloned())
        .collect();
    store::record_events(c.re(), &record, now).await?;
    let events: Vec<DomainEvent> = openings.iter().map(|o| o.event.clone()).collect();
    events::emit_many(c.re(), &events, now).await?;
    let audit: Vec<(&AuditEntry, Option<&str>)> = openings
        .iter()
        .map(|o| (&o.audit, Some(o.label.as_str())))
        .collect();
    audit::record_many_labelled(c, &audit).await?;
    Ok(())
}
