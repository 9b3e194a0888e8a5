//! The job that finishes attempts whose time ran out.

use super::*;

/// Finishes attempts whose time ran out (grace included) even if nobody opens them.
pub async fn finish_overdue(state: &AppState) -> Result<usize, StorageError> {
    let now = state.now();
    let ids = {
        let mut c = state.db.read().await?;
        store::overdue_candidates(
            c.conn(),
            now,
            attempt::ANSWER_GRACE_MS,
            attempt::PRESENCE_GRACE_MS,
        )
        .await?
    };
    tracing::debug!(candidates = ids.len(), "overdue attempts");
    let origin = Origin::channel("server");
    let mut done = 0;
    for id in ids {
        let mut tx = state.db.begin().await?;
        if let Some(a) = store::get_for_update(tx.conn(), id).await?
            && let Some(reason) = a.end_reason(now)
            && finalize(tx.conn(), &a, reason, None, &origin, now).await?
        {
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}
