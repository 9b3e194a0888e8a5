//! The background job that opens scheduled certifications and closes expired ones on time,
//! whether or not anyone looks. Safe with several server instances: each transition is a
//! conditional update, so only one instance applies it.

use crate::domain::audit::Origin;
use crate::state::AppState;
use crate::storage::{self, StorageError};

/// Applies every transition that is due now; returns how many were applied.
pub async fn run_due(state: &AppState) -> Result<usize, StorageError> {
    let candidates = {
        let mut c = state.db.read().await?;
        storage::certifications::scheduling_candidates(c.conn(), state.now()).await?
    };
    let origin = Origin::channel("scheduler");
    let mut applied = 0;
    for cert in candidates {
        match super::service::apply_lifecycle(state, cert.id, None, None, &origin).await {
            Ok(Some(_)) => applied += 1,
            Ok(None) => {}
            // Another instance got there first, or the certification changed meanwhile.
            Err(e) => {
                tracing::debug!(certification = %cert.id, error = %e, "scheduled transition skipped")
            }
        }
    }
    Ok(applied)
}
