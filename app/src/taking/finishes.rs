//! Group commit of finishes: the attempts that many people finish at about the same moment (the
//! end of a scheduled test) are scored and written together, one statement per table and one
//! commit per batch ([`finalize_many`]) instead of a transaction of a dozen statements
//! each behind SQLite's single writer.
//!
//! The batch locks the attempts (in id order on PostgreSQL, like the touches), scores those
//! still in progress and ends them; an attempt already finished needs nothing. An attempt that
//! is not the person's, or a database error, hands the finish back and the caller takes the
//! one-request path (which answers "not found", or retries on its own).

use super::finalize::{Ending, finalize_many};
use crate::domain::audit::Origin;
use crate::domain::clock::Clock;
use crate::domain::user::User;
use crate::domain::{AttemptId, Timestamp};
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::storage::attempts::{self as store, AttemptLite};
use crate::storage::{Db, StorageResult};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Whether finishes go through batches; `ATTEST_FINISH_BATCH=off` takes the one-request path
/// for every finish (to compare in one build).
pub(crate) fn batching() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| !std::env::var("ATTEST_FINISH_BATCH").is_ok_and(|v| v == "off"))
}

/// A person finishing their attempt, waiting for its batch.
pub struct QueuedFinish {
    pub user: User,
    pub attempt: AttemptId,
    pub origin: Origin,
}

/// Finishes written in batches: `submit` gives a finish back for the one-request path.
pub type FinishWriter = GroupCommit<Finishes>;

pub fn finish_writer(db: Db, clock: Arc<dyn Clock>) -> FinishWriter {
    GroupCommit::new(Finishes { db, clock })
}

pub struct Finishes {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl BatchWrite for Finishes {
    type Job = Arc<QueuedFinish>;
    type Done = ();
    /// Nine parameters an attempt's end, ten questions' facts each: far inside the limits.
    const MAX_BATCH: usize = 64;
    /// A batch of finishes holds its connection for long (scoring, facts, results): more
    /// queues keep finishes from waiting behind each other on PostgreSQL.
    const PG_QUEUES: usize = 8;

    fn db(&self) -> &Db {
        &self.db
    }

    fn key(finish: &Arc<QueuedFinish>) -> u64 {
        finish.attempt.0 as u64
    }

    async fn write(&self, finishes: &[Arc<QueuedFinish>]) -> Vec<Option<()>> {
        write_batch(&self.db, finishes, self.clock.now())
            .await
            .unwrap_or_else(|e| {
                // Nothing was committed: each finish is retried on its own path.
                tracing::warn!(error = %e, finishes = finishes.len(), "batched finishes failed");
                vec![None; finishes.len()]
            })
    }
}

/// Why a finish on request ends a running attempt: the server's own reason if it must end
/// anyway (closed, away too long, out of time), else submitted — or timed out when no time is
/// left.
pub(crate) fn reason(a: &AttemptLite, now: Timestamp) -> &'static str {
    a.end_reason(now).unwrap_or_else(|| {
        if a.clock().remaining(now) == 0 {
            "timeout"
        } else {
            "submitted"
        }
    })
}

async fn write_batch(
    db: &Db,
    finishes: &[Arc<QueuedFinish>],
    now: Timestamp,
) -> StorageResult<Vec<Option<()>>> {
    let mut ids: Vec<AttemptId> = finishes.iter().map(|f| f.attempt).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = db.begin().await?;
    let attempts: HashMap<AttemptId, AttemptLite> = store::get_many_for_update(tx.conn(), &ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut out = vec![None; finishes.len()];
    let mut endings = Vec::new();
    let mut seen = HashSet::new();
    for (f, slot) in finishes.iter().zip(out.iter_mut()) {
        let Some(a) = attempts.get(&f.attempt).filter(|a| a.user_id == f.user.id) else {
            continue;
        };
        *slot = Some(());
        // Already over, or a second tap in the same batch: the first one ends it.
        if a.in_progress() && seen.insert(a.id) {
            endings.push(Ending {
                attempt: a,
                reason: reason(a, now),
                by: Some(&f.user),
                origin: &f.origin,
            });
        }
    }
    finalize_many(tx.conn(), &endings, now).await?;
    tx.commit().await?;
    Ok(out)
}
