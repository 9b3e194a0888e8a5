//! Scoring and finishing attempts inside the caller's transaction: one attempt (a request, the
//! overdue job, in `service`) or a batch of finishes ([`crate::taking::finishes`]), with the
//! same statements. Below both, so neither imports the other.

use crate::domain::actor::audit_by;
use crate::domain::attempt::{self, score};
use crate::domain::audit::{AuditAction, AuditEntry, Origin};
use crate::domain::events::DomainEvent;
use crate::domain::integrity;
use crate::domain::stats::answer_facts;
use crate::domain::user::User;
use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::storage::attempts::{self as store, AttemptLite};
use crate::storage::{self, Conn, StorageError};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// An attempt to end, as the caller read it (locked) in its transaction.
pub struct Ending<'a> {
    pub attempt: &'a AttemptLite,
    /// `submitted`, `timeout` or `away_limit`.
    pub reason: &'a str,
    /// Who ended it (its person, or the server when `None`).
    pub by: Option<&'a User>,
    pub origin: &'a Origin,
}

/// Scores and finishes an attempt inside the caller's transaction, with its event and audit.
/// Returns false if it was already finished.
pub async fn finalize(
    c: Conn<'_>,
    a: &AttemptLite,
    reason: &str,
    by: Option<&User>,
    origin: &Origin,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let ending = Ending {
        attempt: a,
        reason,
        by,
        origin,
    };
    let ended = finalize_many(c, &[ending], now).await?;
    Ok(ended.first().copied().unwrap_or(false))
}

/// Scores and finishes attempts inside the caller's transaction, one statement per table for
/// all of them: the attempt's end with its integrity flags, the statistics' facts, the
/// person's progress, the domain events and the audit entries. Returns, per ending, whether
/// it ended the attempt (false: it was already finished). One ending per attempt.
pub async fn finalize_many(
    mut c: Conn<'_>,
    endings: &[Ending<'_>],
    now: Timestamp,
) -> Result<Vec<bool>, StorageError> {
    let ids: Vec<AttemptId> = endings.iter().map(|e| e.attempt.id).collect();
    let mut asked = store::questions_many(c.re(), &ids).await?;
    let lens: Vec<(AttemptId, usize)> = ids
        .iter()
        .map(|id| (*id, asked.get(id).map_or(0, Vec::len)))
        .collect();
    let mut answers = store::answers_many(c.re(), &lens).await?;
    let mut records = store::events_many(c.re(), &ids).await?;
    let scored: Vec<Scoring> = endings
        .iter()
        .map(|e| {
            let id = e.attempt.id;
            Scoring::of(
                e,
                asked.remove(&id).unwrap_or_default(),
                answers.remove(&id).unwrap_or_default(),
                &records.remove(&id).unwrap_or_default(),
                now,
            )
        })
        .collect();
    let rows: Vec<store::Ended<'_>> = endings
        .iter()
        .zip(&scored)
        .map(|(e, s)| s.ended(e))
        .collect();
    let ended: HashSet<AttemptId> = store::finish_many(c.re(), &rows, now)
        .await?
        .into_iter()
        .collect();
    let done: Vec<bool> = ids.iter().map(|id| ended.contains(id)).collect();
    let finished: Vec<(&Ending<'_>, &Scoring)> = endings
        .iter()
        .zip(&scored)
        .zip(&done)
        .filter(|(_, done)| **done)
        .map(|(pair, _)| pair)
        .collect();
    if finished.is_empty() {
        return Ok(done);
    }

    let facts: Vec<(
        storage::analytics::Scored<'_>,
        Vec<crate::domain::stats::AnswerFact>,
    )> = finished
        .iter()
        .map(|(e, s)| {
            let a = e.attempt;
            let scored = storage::analytics::Scored {
                attempt: a.id,
                cert: a.certification_id,
                first: a.number == 1,
                asked: &s.asked,
            };
            (scored, answer_facts(&s.asked, &s.answers))
        })
        .collect();
    let facts: Vec<(
        &storage::analytics::Scored<'_>,
        &[crate::domain::stats::AnswerFact],
    )> = facts.iter().map(|(s, f)| (s, f.as_slice())).collect();
    storage::analytics::record_facts_many(c.re(), &facts).await?;

    // Whether each pass is the person's first: their progress before this result.
    let mut by_cert: BTreeMap<CertId, Vec<UserId>> = BTreeMap::new();
    for (e, _) in &finished {
        by_cert
            .entry(e.attempt.certification_id)
            .or_default()
            .push(e.attempt.user_id);
    }
    let mut passed_before: HashSet<(UserId, CertId)> = HashSet::new();
    for (cert, users) in &mut by_cert {
        users.sort_unstable();
        users.dedup();
        for (user, p) in store::progress_many(c.re(), *cert, users).await? {
            if p.passed_at.is_some() {
                passed_before.insert((user, *cert));
            }
        }
    }
    let mut results: Vec<store::NewResult> = finished
        .iter()
        .map(|(e, s)| store::NewResult {
            user: e.attempt.user_id,
            cert: e.attempt.certification_id,
            attempt: e.attempt.id,
            percent: s.score.percent,
            passed: s.passed,
        })
        .collect();
    // In a steady order, so that two transactions never wait for each other's rows in a cycle.
    results.sort_by_key(|r| (r.user, r.cert));
    store::record_results(c.re(), &results, now).await?;

    let events: Vec<DomainEvent> = finished
        .iter()
        .map(|(e, s)| {
            let a = e.attempt;
            DomainEvent::AttemptFinished {
                attempt_id: a.id,
                user_id: a.user_id,
                certification_id: a.certification_id,
                percent: s.score.percent,
                passed: s.passed,
                first_pass: s.passed && !passed_before.contains(&(a.user_id, a.certification_id)),
            }
        })
        .collect();
    storage::events::emit_many(c.re(), &events, now).await?;

    let finished_ids: Vec<AttemptId> = finished.iter().map(|(e, _)| e.attempt.id).collect();
    let labels: HashMap<AttemptId, String> =
        storage::audit::attempt_labels(c.re(), &finished_ids).await?;
    let entries: Vec<AuditEntry> = finished.iter().map(|(e, s)| s.audit(e, now)).collect();
    let labelled: Vec<(&AuditEntry, Option<&str>)> = entries
        .iter()
        .zip(&finished_ids)
        .map(|(entry, id)| (entry, labels.get(id).map(String::as_str)))
        .collect();
    storage::audit::record_many_labelled(c, &labelled).await?;
    Ok(done)
}

/// One attempt scored: what its end writes.
struct Scoring {
    asked: Vec<attempt::AskedQuestion>,
    answers: Vec<Option<Vec<u32>>>,
    score: attempt::Score,
    passed: bool,
    finished_at: Timestamp,
    used_ms: i64,
    flags: Vec<&'static str>,
}

impl Scoring {
    fn of(
        e: &Ending<'_>,
        asked: Vec<attempt::AskedQuestion>,
        answers: Vec<Option<Vec<u32>>>,
        record: &[integrity::AttemptEvent],
        now: Timestamp,
    ) -> Scoring {
        let a = e.attempt;
        let score = score(&asked, &answers);
        let clock = a.clock();
        // A timed-out attempt ends when its time did, not when the server noticed.
        let finished_at = if e.reason == "timeout" {
            clock.ended_at(now)
        } else {
            now
        };
        // The integrity record's flags, kept for the results' filter.
        let flags = integrity::assess(record, asked.len(), finished_at, true)
            .flags
            .iter()
            .map(|f| f.as_str())
            .collect();
        Scoring {
            passed: score.percent >= a.pass_threshold,
            used_ms: clock.used(finished_at.max(now)).min(clock.limit_ms),
            asked,
            answers,
            score,
            finished_at,
            flags,
        }
    }

    fn ended<'a>(&'a self, e: &'a Ending<'_>) -> store::Ended<'a> {
        store::Ended {
            id: e.attempt.id,
            finished_at: self.finished_at,
            reason: e.reason,
            used_ms: self.used_ms,
            score: self.score,
            passed: self.passed,
            flags: &self.flags,
        }
    }

    fn audit(&self, e: &Ending<'_>, now: Timestamp) -> AuditEntry {
        let a = e.attempt;
        let s = &self.score;
        let details = json!({ "certification_id": a.certification_id, "percent": s.percent, "correct": s.correct,
            "total": s.total, "passed": self.passed, "reason": e.reason });
        let action = if e.reason == "timeout" {
            AuditAction::AttemptTimedOut
        } else {
            AuditAction::AttemptFinished
        };
        match e.by {
            Some(u) => audit_by(u, action, "attempt", a.id, details, e.origin, now),
            None => AuditEntry {
                at: now,
                actor_id: None,
                actor_label: "server".into(),
                action,
                target_type: Some("attempt".into()),
                target_id: Some(a.id.to_string()),
                details,
                origin: e.origin.clone(),
            },
        }
    }
}
