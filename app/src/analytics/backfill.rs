//! Facts for attempts scored before the statistics stored them: a leader job works through
//! them in batches, each attempt in its own transaction (recording twice changes nothing).

use crate::domain::stats::answer_facts;
use crate::state::AppState;
use crate::storage::{self, StorageError};

const BATCH: i64 = 200;

/// Records the facts of one batch; returns how many attempts it did (0: nothing left).
pub async fn run(state: &AppState) -> Result<usize, StorageError> {
    let todo = {
        let mut c = state.db.read().await?;
        storage::analytics::unrecorded(c.conn(), BATCH).await?
    };
    for (attempt, cert, number, asked) in &todo {
        let mut tx = state.db.begin().await?;
        let answers = storage::attempts::answers(tx.conn(), *attempt, asked.0.len()).await?;
        let scored = storage::analytics::Scored {
            attempt: *attempt,
            cert: *cert,
            first: *number == 1,
            asked: &asked.0,
        };
        storage::analytics::record_facts(tx.conn(), &scored, &answer_facts(&asked.0, &answers))
            .await?;
        tx.commit().await?;
    }
    if !todo.is_empty() {
        // Cached statistics were computed without these facts.
        let mut tx = state.db.begin().await?;
        storage::cache_versions::bump(tx.conn(), crate::cache::Scope::Results.as_str()).await?;
        tx.commit().await?;
    }
    Ok(todo.len())
}
