//! Computes a certification's statistics from its finished attempts.

use super::{CertStats, OptionStat, QuestionStat};
use crate::auth::guard;
use crate::auth::service::internal;
use crate::domain::permissions::Module;
use crate::domain::stats::{discrimination, facility, flags, histogram, median};
use crate::domain::{AttemptId, CertId, QuestionId, UserId};
use crate::error::{AppError, AppResult};
use crate::storage;
use std::collections::{BTreeMap, HashMap};

pub async fn stats(id: CertId, first_only: bool) -> AppResult<CertStats> {
    guard::module(Module::Certifications).await?;
    let state = guard::state();
    let mut c = state.db.read().await.map_err(internal)?;
    if storage::certifications::get(c.conn(), id)
        .await
        .map_err(internal)?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let rows = storage::attempts::results(c.conn(), id)
        .await
        .map_err(internal)?;
    let attempts = storage::analytics::finished_attempts(c.conn(), id, first_only)
        .await
        .map_err(internal)?;
    let answers = storage::analytics::answers(c.conn(), id)
        .await
        .map_err(internal)?;
    Ok(compute(&rows, &attempts, &answers, first_only))
}

/// The accumulation for one question revision.
#[derive(Default)]
struct Acc {
    text: String,
    right: Vec<bool>,
    correct: Vec<i64>,
    /// By the bank's option id: text, correct, times chosen (in the bank's order).
    options: BTreeMap<u32, (String, bool, i64)>,
}

fn compute(
    rows: &[crate::taking::ResultRow],
    attempts: &[storage::analytics::FinishedAttempt],
    answers: &[(AttemptId, i64, sqlx::types::Json<Vec<u32>>)],
    first_only: bool,
) -> CertStats {
    let mut given: HashMap<(AttemptId, i64), &[u32]> = HashMap::new();
    for (a, i, ans) in answers {
        given.insert((*a, *i), ans.0.as_slice());
    }
    let mut per_q: BTreeMap<(QuestionId, i64), Acc> = BTreeMap::new();
    let mut best: HashMap<UserId, i64> = HashMap::new();
    let mut passed_on: HashMap<UserId, i64> = HashMap::new();
    let mut all = Vec::new();
    let mut used = Vec::new();
    for a in attempts {
        let asked = &a.questions.0;
        let right: Vec<bool> = asked
            .iter()
            .enumerate()
            .map(|(i, q)| {
                given
                    .get(&(a.id, i as i64))
                    .is_some_and(|ans| q.is_right(ans))
            })
            .collect();
        let correct = right.iter().filter(|r| **r).count() as i64;
        for (i, q) in asked.iter().enumerate() {
            let acc = per_q.entry((q.question_id, q.revision)).or_default();
            if acc.text.is_empty() {
                acc.text = crate::richtext::plain_text(&q.content.text);
            }
            acc.right.push(right[i]);
            acc.correct.push(correct);
            let chosen = given.get(&(a.id, i as i64)).copied().unwrap_or_default();
            for (k, o) in q.content.options.iter().enumerate() {
                let bank = q.bank_option_ids.get(k).copied().unwrap_or(o.id);
                let e = acc
                    .options
                    .entry(bank)
                    .or_insert_with(|| (crate::richtext::plain_text(&o.text), o.correct, 0));
                if chosen.contains(&o.id) {
                    e.2 += 1;
                }
            }
        }
        let p = a.percent.unwrap_or(0);
        all.push(p);
        used.push(a.used_ms / 1000);
        let b = best.entry(a.user_id).or_insert(p);
        *b = (*b).max(p);
        if a.passed == Some(true) {
            passed_on.entry(a.user_id).or_insert(a.number);
        }
    }
    let questions = per_q
        .into_iter()
        .map(|((question_id, revision), acc)| {
            let f = facility(&acc.right);
            let d = discrimination(&acc.right, &acc.correct);
            QuestionStat {
                question_id,
                revision,
                text: acc.text,
                answered: acc.right.len() as i64,
                facility: f,
                discrimination: d,
                options: acc
                    .options
                    .into_values()
                    .map(|(text, correct, chosen)| OptionStat {
                        text,
                        correct,
                        chosen,
                    })
                    .collect(),
                flags: flags(acc.right.len(), f, d),
            }
        })
        .collect();
    let best: Vec<i64> = best.into_values().collect();
    CertStats {
        assigned: rows.len() as i64,
        read: rows.iter().filter(|r| r.read_version.is_some()).count() as i64,
        attempted: rows
            .iter()
            .filter(|r| r.attempts_used.unwrap_or(0) > 0)
            .count() as i64,
        passed: rows.iter().filter(|r| r.passed_at.is_some()).count() as i64,
        attempts: attempts.len() as i64,
        first_only,
        best_histogram: histogram(&best).to_vec(),
        all_histogram: histogram(&all).to_vec(),
        median_used_secs: median(&used),
        attempts_to_pass: (!passed_on.is_empty())
            .then(|| passed_on.values().sum::<i64>() as f64 / passed_on.len() as f64),
        questions,
    }
}
