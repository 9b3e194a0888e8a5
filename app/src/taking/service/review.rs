//! The member's history and the review of a finished attempt.

use super::*;

pub async fn history(
    state: &AppState,
    taker: &Taker,
    cert_id: CertId,
) -> AppResult<Vec<AttemptSummary>> {
    let actor = taker.member(state).await?;
    let mut c = state.db.read().await.map_err(AppError::from)?;
    let mut rows = store::history(c.conn(), actor.user.id, cert_id).await?;
    // The integrity flags are for admins.
    for r in &mut rows {
        r.flags = Default::default();
    }
    Ok(rows)
}

pub async fn review(state: &AppState, taker: &Taker, id: AttemptId) -> AppResult<Vec<ReviewItem>> {
    let actor = taker.member(state).await?;
    async {
        let mut c = state.db.read().await?;
        let Some(a) = store::get(c.conn(), id).await? else {
            return Err(AppError::NotFound);
        };
        if a.user_id != actor.user.id {
            return Err(AppError::NotFound);
        }
        if a.in_progress() {
            return Err(AppError::refused(Msg::ErrAttemptNotFinished));
        }
        let Some(cert) = certs::get(c.conn(), a.certification_id).await? else {
            return Err(AppError::NotFound);
        };
        let p = store::progress(c.conn(), a.user_id, a.certification_id)
            .await?
            .unwrap_or_default();
        let running = store::in_progress(c.conn(), a.user_id, a.certification_id)
            .await?
            .is_some();
        let depth = review_depth(
            cert.settings.review_allowed,
            cert.status == CertStatus::Open,
            cert.settings.max_attempts,
            Standing {
                attempts_used: p.attempts_used,
                best_percent: p.best_percent,
                in_progress: running,
            },
        );
        let Some(depth) = depth else {
            return Err(AppError::refused(Msg::ErrReviewClosed));
        };
        let full = depth == ReviewDepth::Full;
        let asked = store::questions(c.conn(), id).await?;
        let answers = store::answers(c.conn(), id, asked.len()).await?;
        Ok(asked
            .iter()
            .zip(answers)
            .map(|(q, answer)| ReviewItem {
                question: q.view(),
                is_right: answer.as_deref().is_some_and(|x| q.is_right(x)),
                answer,
                right: full.then(|| q.right_answer()),
                explanation: full.then(|| q.content.explanation.clone()),
            })
            .collect())
    }
    .await
}
