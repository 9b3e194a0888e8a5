//! The leader's epoch: a number bumped by every instance that takes the lead, so that work a
//! leader started can be refused once another leader has taken over (fencing).
//!
//! A fenced transaction (the background jobs' own [`Db`](super::Db), see [`Fence`]) first
//! reads the epoch `FOR SHARE` and goes on only if it is the one its leader took. The share
//! lock makes the next leader's bump wait until such a transaction ends, so every job write
//! lands either wholly before the new epoch or not at all. A stopped leader cannot hold the
//! bump back for long: its fenced transactions end themselves once idle for a lease
//! (`idle_in_transaction_session_timeout`). Only PostgreSQL has several instances; on SQLite
//! one process always leads and nothing is fenced.

use super::{StorageError, StorageResult};
use sqlx::{PgConnection, Postgres, Transaction};
use std::sync::Arc;
use std::time::Duration;

/// What a job's transaction must match: the epoch its leader holds now (`None` when this
/// instance does not lead, or no longer knows that it does), and the lease after which a
/// transaction of a leader that went quiet is ended by the server.
#[derive(Clone)]
pub struct Fence {
    pub epoch: Arc<dyn Fn() -> Option<i64> + Send + Sync>,
    pub lease: Duration,
}

impl std::fmt::Debug for Fence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fence")
            .field("epoch", &(self.epoch)())
            .field("lease", &self.lease)
            .finish()
    }
}

/// Takes the next epoch for a new leader (on the leader's own connection). Waits until every
/// fenced transaction of the previous epoch has ended.
pub async fn take_epoch(conn: &mut PgConnection) -> StorageResult<i64> {
    let (epoch,): (i64,) =
        sqlx::query_as("UPDATE leader_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch")
            .fetch_one(conn)
            .await?;
    Ok(epoch)
}

/// Admits a transaction of the leader of epoch `mine`: refused unless that is still the
/// current epoch. Ended by the server if it stays idle for `lease`.
pub(super) async fn admit(
    tx: &mut Transaction<'static, Postgres>,
    mine: i64,
    lease: Duration,
) -> StorageResult<()> {
    let idle = lease.as_millis().max(1).to_string();
    let (current,): (i64,) = sqlx::query_as(
        "SELECT epoch FROM leader_epoch, \
         set_config('idle_in_transaction_session_timeout', $1, true) \
         WHERE id = 1 FOR SHARE OF leader_epoch",
    )
    .bind(idle)
    .fetch_one(&mut **tx)
    .await?;
    if current != mine {
        return Err(StorageError::Fenced {
            mine: Some(mine),
            current: Some(current),
        });
    }
    Ok(())
}
