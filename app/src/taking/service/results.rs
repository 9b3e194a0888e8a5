//! A certification's results for the admin panel: everyone the actor may see, narrowed by a
//! filter, sorted and paged; the same rows for the export and the bulk actions.

use super::*;
use crate::domain::compliance::{CellInput, cell};
use crate::domain::rates::Rates;
use crate::model::taking::{ResultLine, ResultsFilter, ResultsSort};
use crate::paging::window;

/// Rows per page of the results table.
pub const RESULTS_PER_PAGE: i64 = 50;

/// Everyone the actor may see in the certification, each with their state; the rates over
/// all of them; then only the ones the filter keeps, in name order.
pub(super) async fn lines(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    filter: &ResultsFilter,
) -> AppResult<(Certification, Vec<ResultLine>, Rates)> {
    let now = state.now();
    let mut c = state.db.read().await?;
    let Some(cert) = certs::get(c.conn(), id).await? else {
        return Err(AppError::NotFound);
    };
    let rows = store::results(c.conn(), id, &actor.scope, filter.flagged).await?;
    drop(c);
    let open = cert.status == CertStatus::Open;
    let closed = cert.status == CertStatus::Closed;
    let needle = filter
        .search
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let mut rates = Rates::default();
    let mut out = Vec::new();
    for row in rows {
        let standing = Standing {
            attempts_used: row.attempts_used.unwrap_or(0),
            best_percent: row.best_percent,
            in_progress: row.in_progress > 0,
        };
        let state_now = cell(
            CellInput {
                assigned: row.assigned,
                attempts_used: standing.attempts_used,
                best_percent: row.best_percent,
                passed: row.passed_at.is_some(),
                in_progress: standing.in_progress,
                closed,
                closes_at: cert.settings.closes_at,
            },
            now,
        );
        rates.add(row.best_percent.is_some(), row.passed_at.is_some());
        let keep = filter.branch.is_none_or(|b| row.branch_id == Some(b))
            && filter.position.is_none_or(|p| row.position_id == Some(p))
            && filter.state.is_none_or(|k| state_now.kind() == Some(k))
            && needle.as_deref().is_none_or(|n| {
                row.name().to_lowercase().contains(n)
                    || format!("{} {}", row.first_name, row.last_name)
                        .to_lowercase()
                        .contains(n)
            });
        if !keep {
            continue;
        }
        out.push(ResultLine {
            may_grant: attempt::may_grant_attempt(open, standing).is_ok(),
            full_review: attempt::full_review_open(
                cert.settings.review_allowed,
                open,
                cert.settings.max_attempts,
                standing,
            ),
            state: state_now,
            row,
        });
    }
    Ok((cert, out, rates))
}

/// Orders the lines by `sort` (then by name, so equal keys keep a stable order).
pub fn sort_lines(lines: &mut [ResultLine], sort: ResultsSort, desc: bool) {
    use std::cmp::Ordering;
    let by_name = |a: &ResultLine, b: &ResultLine| {
        a.row
            .name()
            .to_lowercase()
            .cmp(&b.row.name().to_lowercase())
            .then(a.row.user_id.0.cmp(&b.row.user_id.0))
    };
    // Empty values go last whichever way the column sorts.
    fn opt<T: Ord>(a: &Option<T>, b: &Option<T>, desc: bool) -> Ordering {
        match (a, b) {
            (Some(x), Some(y)) if desc => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    lines.sort_by(|a, b| {
        let key = match sort {
            ResultsSort::Name => Ordering::Equal,
            ResultsSort::Branch => opt(&a.row.branch, &b.row.branch, desc),
            ResultsSort::Position => opt(&a.row.position, &b.row.position, desc),
            ResultsSort::State => {
                let rank = |l: &ResultLine| l.state.kind().map(|k| k as u8);
                opt(&rank(a), &rank(b), desc)
            }
            ResultsSort::Attempts => opt(&a.row.attempts_used, &b.row.attempts_used, desc),
            ResultsSort::Best => opt(&a.row.best_percent, &b.row.best_percent, desc),
            ResultsSort::PassedAt => opt(&a.row.passed_at, &b.row.passed_at, desc),
        };
        let name = if sort == ResultsSort::Name && desc {
            by_name(b, a)
        } else {
            by_name(a, b)
        };
        key.then(name)
    });
}

/// One page of the results (`page: None`: every row, for the export).
pub async fn results(
    state: &AppState,
    actor: &Actor,
    id: CertId,
    filter: &ResultsFilter,
    sort: ResultsSort,
    desc: bool,
    page: Option<i64>,
) -> AppResult<CertResults> {
    let (cert, mut all, rates) = lines(state, actor, id, filter).await?;
    sort_lines(&mut all, sort, desc);
    let total = all.len() as i64;
    let (rows, page, per_page) = match page {
        Some(p) => {
            let (limit, offset, page, per_page) = window(p, RESULTS_PER_PAGE);
            let rows = all
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .collect();
            (rows, page, per_page)
        }
        None => (all, 1, total.max(1)),
    };
    use crate::storage::dictionaries::{Dictionary, list};
    let mut c = state.db.read().await?;
    let entries = |v: Vec<crate::model::dictionaries::DictEntry>| -> Vec<(i64, String)> {
        v.into_iter().map(|e| (e.id, e.name)).collect()
    };
    let mut branches = entries(list(c.conn(), Dictionary::Branches).await?);
    if let crate::domain::scope::PeopleScope::Branches(mine) = &actor.scope {
        branches.retain(|(id, _)| mine.iter().any(|b| b.0 == *id));
    }
    let positions = entries(list(c.conn(), Dictionary::Positions).await?);
    Ok(CertResults {
        title: cert.settings.title.clone(),
        max_attempts: cert.settings.max_attempts,
        threshold: cert.settings.pass_threshold,
        closes_at: cert.settings.closes_at,
        rows,
        total,
        page,
        per_page,
        rates,
        review_allowed: cert.settings.review_allowed,
        open: cert.status == CertStatus::Open,
        branches,
        positions,
    })
}

/// Runs a bulk action on the people of a certification's results: the `selected` ones
/// (among those the filter keeps, so nobody outside the actor's people is reached), or
/// everyone the filter keeps. `dry_run` only counts (the preview). Each grant and reset is
/// audited on its own, as from the card; reminders are audited once, with their count.
#[allow(clippy::too_many_arguments)]
pub async fn bulk(
    state: &AppState,
    actor: &Actor,
    origin: &Origin,
    id: CertId,
    filter: &ResultsFilter,
    selected: Option<&[UserId]>,
    action: &crate::model::taking::BulkAction,
    dry_run: bool,
) -> AppResult<crate::model::taking::BulkOutcome> {
    use crate::model::taking::{BulkAction, BulkOutcome};
    if let BulkAction::Reset { reason, .. } = action {
        let r = reason.trim();
        if r.is_empty() || r.chars().count() > 500 {
            return Err(AppError::invalid("reason", Msg::ErrReasonRequired));
        }
    }
    let (cert, mut lines, _) = lines(state, actor, id, filter).await?;
    if let Some(ids) = selected {
        let ids: std::collections::HashSet<UserId> = ids.iter().copied().collect();
        lines.retain(|l| ids.contains(&l.row.user_id));
    }
    let me = actor.user.id;
    let applies: Vec<UserId> = lines
        .iter()
        .filter(|l| match action {
            BulkAction::Remind => l.row.passed_at.is_none(),
            BulkAction::GrantAttempt => l.may_grant && l.row.user_id != me,
            BulkAction::Reset { .. } => {
                l.row.user_id != me
                    && (l.row.attempts_used.unwrap_or(0) > 0 || l.row.best_percent.is_some())
            }
        })
        .map(|l| l.row.user_id)
        .collect();
    let mut out = BulkOutcome {
        chosen: lines.len() as i64,
        applies: applies.len() as i64,
        reached: applies.len() as i64,
        done: 0,
    };
    match action {
        BulkAction::Remind => {
            if cert.status != CertStatus::Open {
                return Err(AppError::refused(Msg::ErrRemindNotOpen));
            }
            let r = crate::notifications::service::remind(
                state, actor, origin, &cert, &applies, dry_run,
            )
            .await?;
            out.reached = r.reached;
            out.done = r.queued;
        }
        _ if dry_run => {}
        BulkAction::GrantAttempt => {
            let by = By::Person(actor.clone());
            for user in &applies {
                // A person changed meanwhile (finished at 100 %, …) is skipped, not an error.
                if grant_attempt(state, &by, origin, id, *user).await.is_ok() {
                    out.done += 1;
                }
            }
        }
        BulkAction::Reset {
            reason,
            require_reread,
        } => {
            let by = By::Person(actor.clone());
            for user in &applies {
                if reset(state, &by, origin, id, *user, reason, *require_reread)
                    .await
                    .is_ok()
                {
                    out.done += 1;
                }
            }
        }
    }
    Ok(out)
}

/// The results as the export writes them (every row the filter keeps, in the table's order).
pub fn table_of(r: &CertResults, lang: crate::i18n::Lang) -> crate::export::ExportTable {
    use crate::export::{ExportCell, ExportTable};
    let t = |m: Msg| m.text(lang).to_owned();
    let mut table = ExportTable::new(
        "results",
        vec![
            t(Msg::Person),
            t(Msg::BranchField),
            t(Msg::PositionField),
            t(Msg::ComplianceState),
            t(Msg::AttemptsUsed),
            t(Msg::BestResult),
            t(Msg::PassedAt),
            t(Msg::Integrity),
        ],
    );
    for l in &r.rows {
        let opt = |s: &Option<String>| s.clone().map_or(ExportCell::Empty, ExportCell::Text);
        table.rows.push(vec![
            ExportCell::text(l.row.name()),
            opt(&l.row.branch),
            opt(&l.row.position),
            ExportCell::text(crate::domain::compliance::cell_text(l.state, lang)),
            ExportCell::Int(l.row.attempts_used.unwrap_or(0)),
            ExportCell::opt_percent(l.row.best_percent.map(|p| p as f64)),
            l.row.passed_at.map_or(ExportCell::Empty, ExportCell::At),
            ExportCell::Int(l.row.flagged),
        ]);
    }
    table
}
