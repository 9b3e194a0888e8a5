//! Scoring and finishing an attempt inside the caller's transaction.

use super::*;

/// Scores and finishes an attempt inside the caller's transaction, with its event and audit.
/// Returns false if it was already finished.
pub async fn finalize(
    mut c: Conn<'_>,
    a: &AttemptLite,
    reason: &str,
    by: Option<&User>,
    origin: &Origin,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let asked = store::questions(c.re(), a.id).await?;
    let answers = store::answers(c.re(), a.id, asked.len()).await?;
    let s = score(&asked, &answers);
    let passed = s.percent >= a.pass_threshold;
    let clock = a.clock();
    let finished_at = if reason == "timeout" {
        clock.ended_at(now)
    } else {
        now
    };
    if !store::finish(c.re(), a.id, finished_at, reason, &clock, s, passed, now).await? {
        return Ok(false);
    }
    // The flags of the integrity record, kept for the results' filter.
    let record = store::events(c.re(), a.id).await?;
    let integrity = crate::domain::integrity::assess(&record, asked.len(), finished_at, true);
    let flags: Vec<&str> = integrity.flags.iter().map(|f| f.as_str()).collect();
    store::set_flags(c.re(), a.id, &flags).await?;
    let scored = storage::analytics::Scored {
        attempt: a.id,
        cert: a.certification_id,
        first: a.number == 1,
        asked: &asked,
    };
    storage::analytics::record_facts(
        c.re(),
        &scored,
        &crate::domain::stats::answer_facts(&asked, &answers),
    )
    .await?;
    let before = store::progress(c.re(), a.user_id, a.certification_id)
        .await?
        .unwrap_or_default();
    store::record_result(
        c.re(),
        a.user_id,
        a.certification_id,
        a.id,
        s.percent,
        passed,
        now,
    )
    .await?;
    storage::events::emit(
        c.re(),
        &DomainEvent::AttemptFinished {
            attempt_id: a.id,
            user_id: a.user_id,
            certification_id: a.certification_id,
            percent: s.percent,
            passed,
            first_pass: passed && before.passed_at.is_none(),
        },
        now,
    )
    .await?;
    let details = json!({ "certification_id": a.certification_id, "percent": s.percent, "correct": s.correct,
        "total": s.total, "passed": passed, "reason": reason });
    let action = if reason == "timeout" {
        AuditAction::AttemptTimedOut
    } else {
        AuditAction::AttemptFinished
    };
    let entry = match by {
        Some(u) => audit_by(u, action, "attempt", a.id, details, origin, now),
        None => AuditEntry {
            at: now,
            actor_id: None,
            actor_label: "server".into(),
            action,
            target_type: Some("attempt".into()),
            target_id: Some(a.id.to_string()),
            details,
            origin: origin.clone(),
        },
    };
    storage::audit::record(c, &entry).await?;
    Ok(true)
}
