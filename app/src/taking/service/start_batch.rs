//! Group commit of starts: the attempts that many people start at the same moment (a scheduled
//! opening) are written together, a few statements and one commit per batch instead of a
//! transaction of ten statements each behind SQLite's single writer.
//!
//! A start is planned on a read connection (`start::plan_start`); the batch checks in its
//! transaction that what the plan saw still holds (the certification, the person's progress
//! row) and writes the plain case: a person who has a progress row and whose reading was
//! recorded before. A plan that no longer holds, a second start of the same person in one
//! batch, an attempt already in progress or a database error hands the start back, and the
//! caller takes the one-request path, which plans again inside its transaction.

use super::start::{Opening, StartPlan, write_openings};
use crate::domain::audit::Origin;
use crate::domain::clock::Clock;
use crate::domain::user::User;
use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::error::AppResult;
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::storage::Db;
use crate::storage::attempts as store;
use crate::storage::certifications as certs;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Whether starts go through batches; `ATTEST_START_BATCH=off` takes the one-request path for
/// every start (to compare in one build).
pub(super) fn batching() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| !std::env::var("ATTEST_START_BATCH").is_ok_and(|v| v == "off"))
}

/// A planned start waiting for its batch.
pub struct QueuedStart {
    pub(super) user: User,
    pub(super) plan: StartPlan,
    /// The session's label in the integrity record.
    pub(super) session: Option<String>,
    pub(super) origin: Origin,
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
    /// 20 parameters an attempt's row: 1,280, far inside both backends' limits.
    const MAX_BATCH: usize = 64;

    fn db(&self) -> &Db {
        &self.db
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
) -> AppResult<Vec<Option<AttemptId>>> {
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
