//! A certification's statistics from the facts stored at scoring time, aggregated in SQL;
//! the formulas are `domain::stats`.

use super::{CertStats, OptionStat, QuestionStat};
use crate::domain::actor::Actor;

use crate::domain::CertId;
use crate::domain::permissions::Module;
use crate::domain::scope::PeopleScope;
use crate::domain::stats::flags;
use crate::error::{AppError, AppResult};
use crate::export::{ExportCell, ExportTable};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::analytics::AttemptFigures;
use crate::storage::{self, StorageError};
use std::collections::HashMap;

pub async fn stats(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    first_only: bool,
) -> AppResult<CertStats> {
    let stats = stats_of(state, id, first_only, &actor.scope).await?;
    Ok(for_reader(
        stats,
        actor.modules.contains(Module::QuestionBank),
    ))
}

/// The statistics as a reader sees them: the answer keys belong to the question bank, so
/// without it no option is marked right and options come in the order of their texts (the
/// bank's order of an ordering question is its answer).
pub fn for_reader(mut stats: CertStats, sees_keys: bool) -> CertStats {
    if !sees_keys {
        for q in &mut stats.questions {
            for o in &mut q.options {
                o.correct = false;
            }
            q.options.sort_by(|a, b| a.text.cmp(&b.text));
        }
    }
    stats
}

/// The statistics over the people `scope` sees, for a caller already checked for the
/// certifications module (cached by scope: `crate::cache`).
pub async fn stats_of(
    state: &AppState,
    id: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> AppResult<CertStats> {
    let stats = state
        .caches
        .statistics
        .get(
            &state.db,
            (id, first_only, scope.clone()),
            load(state, id, first_only, scope),
        )
        .await?;
    Ok((*stats).clone())
}

async fn load(
    state: &AppState,
    id: CertId,
    first_only: bool,
    scope: &PeopleScope,
) -> AppResult<CertStats> {
    let read = async {
        let mut c = state.db.read().await?;
        if storage::certifications::get(c.conn(), id).await?.is_none() {
            return Ok(None);
        }
        let funnel = storage::analytics::funnel(c.conn(), id, scope).await?;
        let figures = storage::analytics::attempt_figures(c.conn(), id, first_only, scope).await?;
        let sums = storage::analytics::item_sums(c.conn(), id, first_only, scope).await?;
        let options = storage::analytics::option_counts(c.conn(), id, first_only, scope).await?;
        let questions = storage::analytics::questions(c.conn(), id).await?;
        Ok::<_, StorageError>(Some((funnel, figures, sums, options, questions)))
    };
    let (funnel, figures, sums, options, questions) = read
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    let chosen: HashMap<(crate::domain::QuestionId, i64, i64), i64> = options
        .into_iter()
        .map(|(q, r, o, n)| ((q, r, o), n))
        .collect();
    let texts: HashMap<_, _> = questions
        .into_iter()
        .map(|(q, r, snap)| ((q, r), snap.0))
        .collect();
    let questions = sums
        .into_iter()
        .map(|(question_id, revision, s)| {
            let snap = texts.get(&(question_id, revision));
            let f = s.facility();
            let d = s.discrimination();
            QuestionStat {
                question_id,
                revision,
                text: snap.map(|q| q.text.clone()).unwrap_or_default(),
                answered: s.n,
                facility: f,
                discrimination: d,
                options: snap
                    .map(|q| {
                        q.options
                            .iter()
                            .map(|(bank, text, correct)| OptionStat {
                                text: text.clone(),
                                correct: *correct,
                                chosen: chosen
                                    .get(&(question_id, revision, i64::from(*bank)))
                                    .copied()
                                    .unwrap_or(0),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                flags: flags(usize::try_from(s.n).unwrap_or(0), f, d),
                ordering: snap.is_some_and(|q| q.ordering),
            }
        })
        .collect();
    let (assigned, read, attempted, passed) = funnel;
    Ok(assemble(
        (assigned, read, attempted, passed),
        &figures,
        first_only,
        questions,
    ))
}

fn buckets(rows: &[(i64, i64)]) -> Vec<i64> {
    let mut h = vec![0; 10];
    for (b, n) in rows {
        if let Some(slot) = usize::try_from(*b).ok().and_then(|b| h.get_mut(b)) {
            *slot += n;
        }
    }
    h
}

fn assemble(
    (assigned, read, attempted, passed): (i64, i64, i64, i64),
    f: &AttemptFigures,
    first_only: bool,
    questions: Vec<QuestionStat>,
) -> CertStats {
    CertStats {
        assigned,
        read,
        attempted,
        passed,
        attempts: f.attempts,
        first_only,
        best_histogram: buckets(&f.best),
        all_histogram: buckets(&f.all),
        median_used_secs: f.median_used_ms.map(|ms| ms / 1000),
        attempts_to_pass: (f.passers > 0).then(|| f.pass_number_sum as f64 / f.passers as f64),
        questions,
    }
}

/// The per-question table, for the exports, in `lang`.
pub fn table_of(s: &CertStats, lang: Lang) -> ExportTable {
    let h = |m: Msg| m.text(lang).to_owned();
    let mut t = ExportTable::new(
        "statistics",
        vec![
            h(Msg::StatsQuestion),
            h(Msg::StatsRevision),
            h(Msg::StatsAnswered),
            h(Msg::StatsFacility),
            h(Msg::StatsDiscrimination),
            h(Msg::StatsOptions),
            h(Msg::StatsFlags),
        ],
    );
    for q in &s.questions {
        t.rows.push(vec![
            ExportCell::text(q.text.clone()),
            ExportCell::Int(q.revision),
            ExportCell::Int(q.answered),
            ExportCell::opt_percent(q.facility),
            q.discrimination
                .map_or(ExportCell::Empty, ExportCell::Number),
            if q.ordering {
                ExportCell::Empty
            } else {
                ExportCell::text(super::options_text(&q.options))
            },
            ExportCell::text(super::flags_text(&q.flags, lang)),
        ]);
    }
    t
}

/// Folds the deltas of the kept per-question sums into the sums (a leader job; only
/// PostgreSQL's triggers append deltas): how many were folded.
pub async fn fold_sums(state: &AppState) -> Result<u64, StorageError> {
    if state.db.backend() != storage::Backend::Postgres {
        return Ok(0);
    }
    let mut tx = state.db.begin().await?;
    let n = storage::analytics::fold_sums(tx.conn()).await?;
    tx.commit().await?;
    Ok(n)
}
