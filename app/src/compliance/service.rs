//! Builds the matrix from one read of the pairs in scope; the CSV export uses the same build.

use super::{
    ComplianceColumn, ComplianceFilter, ComplianceRow, ComplianceView, GroupRate, PER_PAGE,
};

use crate::dictionaries::Entry;
use crate::domain::Timestamp;
use crate::domain::compliance::{Cell, CellInput, cell, pass_rate};
use crate::domain::scope::PeopleScope;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::state::AppState;
use crate::storage::dictionaries::Dictionary;
use crate::storage::{self, StorageError};
use std::collections::BTreeMap;

/// The actor's people; employees see nobody's results.
pub async fn scope_of(state: &AppState, user: &User) -> AppResult<PeopleScope> {
    match crate::auth::service::scope_of(state, user).await? {
        PeopleScope::Nobody => Err(AppError::Forbidden(Msg::ErrNoModule)),
        scope => Ok(scope),
    }
}

/// The matrix for `user`; `paged: false` gives every row (the export).
pub async fn build(
    state: &AppState,
    user: &User,
    filter: &ComplianceFilter,
    paged: bool,
) -> AppResult<ComplianceView> {
    let scope = scope_of(state, user).await?;
    let now = state.now();
    let read = async {
        let mut c = state.db.read().await?;
        let columns = storage::compliance::columns(c.conn()).await?;
        let pairs =
            storage::compliance::pairs(c.conn(), &scope, filter.branch, filter.position).await?;
        let branches = storage::dictionaries::list(c.conn(), Dictionary::Branches).await?;
        let positions = storage::dictionaries::list(c.conn(), Dictionary::Positions).await?;
        Ok::<_, StorageError>((columns, pairs, branches, positions))
    };
    let (columns, pairs, branches, positions) = read.await.map_err(AppError::from)?;
    let index: BTreeMap<_, _> = columns.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut rows: Vec<ComplianceRow> = Vec::new();
    for p in pairs {
        let Some(&col) = index.get(&p.certification_id) else {
            continue;
        };
        if rows.last().is_none_or(|r| r.user_id != p.user_id) {
            let name = format!("{} {}", p.first_name, p.last_name)
                .trim()
                .to_owned();
            rows.push(ComplianceRow {
                user_id: p.user_id,
                name,
                branch: p.branch.clone(),
                position: p.position.clone(),
                cells: vec![Cell::NotAssigned; columns.len()],
            });
        }
        let column = &columns[col];
        let input = CellInput {
            assigned: p.assigned,
            attempts_used: p.attempts_used.unwrap_or(0),
            best_percent: p.best_percent,
            passed: p.passed,
            in_progress: p.in_progress,
            closed: column.status == "closed",
            closes_at: column.closes_at,
        };
        if let Some(r) = rows.last_mut() {
            r.cells[col] = cell(input, now);
        }
    }
    // Someone with progress but no longer assigned and never tried has nothing to show.
    rows.retain(|r| r.cells.iter().any(|c| *c != Cell::NotAssigned));
    // The rates are of everyone the branch and position filters keep, whatever the state filter.
    let all_rows = rows.clone();
    if let Some(kind) = filter.state {
        rows.retain(|r| r.cells.iter().any(|c| c.kind() == Some(kind)));
    }
    if let Some(days) = filter.due {
        let until = Timestamp(now.millis() + days.clamp(0, 366) * 86_400_000);
        let due: Vec<bool> = columns
            .iter()
            .map(|c| c.closes_at.is_some_and(|at| at > now && at <= until))
            .collect();
        rows.retain(|r| {
            r.cells.iter().enumerate().any(|(i, c)| {
                due[i] && matches!(c, Cell::NotStarted | Cell::InProgress | Cell::Failed { .. })
            })
        });
    }
    // Only certifications someone in view is assigned to or tried.
    let keep: Vec<usize> = (0..columns.len())
        .filter(|&i| rows.iter().any(|r| r.cells[i] != Cell::NotAssigned))
        .collect();
    for r in &mut rows {
        r.cells = keep.iter().map(|&i| r.cells[i]).collect();
    }
    let columns: Vec<ComplianceColumn> = keep
        .iter()
        .map(|&i| ComplianceColumn {
            id: columns[i].id,
            title: columns[i].title.clone(),
            closes_at: columns[i].closes_at,
            open: columns[i].status == "open",
        })
        .collect();
    let kept = |r: &ComplianceRow| ComplianceRow {
        cells: keep.iter().map(|&i| r.cells[i]).collect(),
        ..r.clone()
    };
    let everyone: Vec<ComplianceRow> = all_rows.iter().map(kept).collect();
    let mut overall = crate::domain::rates::Rates::default();
    for c in everyone.iter().flat_map(|r| r.cells.iter()) {
        match c {
            Cell::NotAssigned => {}
            Cell::Passed { .. } => overall.add(true, true),
            Cell::Failed { .. } | Cell::Overdue { best: Some(_) } => overall.add(true, false),
            _ => overall.add(false, false),
        }
    }
    let by_branch = rates(&everyone, columns.len(), |r| r.branch.clone());
    let by_position = rates(&everyone, columns.len(), |r| r.position.clone());
    let total = rows.len() as i64;
    let page = filter.page.max(1);
    let rows = if paged {
        let skip = usize::try_from((page - 1).saturating_mul(PER_PAGE)).unwrap_or(usize::MAX);
        rows.into_iter()
            .skip(skip)
            .take(PER_PAGE as usize)
            .collect()
    } else {
        rows
    };
    let entries = |v: Vec<storage::dictionaries::DictEntry>| -> Vec<Entry> {
        v.into_iter()
            .map(|e| Entry {
                id: e.id,
                name: e.name,
            })
            .collect()
    };
    let branches = match &scope {
        PeopleScope::Branches(mine) => entries(branches)
            .into_iter()
            .filter(|e: &Entry| mine.iter().any(|b| b.0 == e.id))
            .collect(),
        _ => entries(branches),
    };
    Ok(ComplianceView {
        columns,
        rows,
        total,
        page,
        per_page: PER_PAGE,
        overall,
        by_branch,
        by_position,
        branches,
        positions: entries(positions),
    })
}

/// The pass rate per column of each group (people without one are "—").
fn rates(
    rows: &[ComplianceRow],
    width: usize,
    group: impl Fn(&ComplianceRow) -> Option<String>,
) -> Vec<GroupRate> {
    let mut groups: BTreeMap<String, Vec<&ComplianceRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry(group(r).unwrap_or_else(|| "—".into()))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|(name, members)| GroupRate {
            people: members.len() as i64,
            rates: (0..width)
                .map(|i| pass_rate(members.iter().map(|r| r.cells[i])))
                .collect(),
            name,
        })
        .collect()
}

/// The whole filtered matrix for the exports, in `lang`: a person per row, a certification
/// per column.
pub fn table_of(v: &ComplianceView, lang: crate::i18n::Lang) -> crate::export::ExportTable {
    use crate::export::{ExportCell, ExportTable};
    let mut head = vec![
        Msg::Person.text(lang).to_owned(),
        Msg::BranchField.text(lang).to_owned(),
        Msg::PositionField.text(lang).to_owned(),
    ];
    head.extend(v.columns.iter().map(|c| c.title.clone()));
    let mut t = ExportTable::new("compliance", head);
    for r in &v.rows {
        let mut line = vec![
            ExportCell::text(r.name.clone()),
            ExportCell::text(r.branch.clone().unwrap_or_default()),
            ExportCell::text(r.position.clone().unwrap_or_default()),
        ];
        line.extend(
            r.cells
                .iter()
                .map(|c| ExportCell::text(crate::domain::compliance::cell_text(*c, lang))),
        );
        t.rows.push(line);
    }
    t
}

/// Reminds everyone the filter keeps who has not passed an open certification (one bot
/// message per person and certification, through `notifications::service::remind`).
pub async fn remind(
    state: &AppState,
    actor: &crate::domain::actor::Actor,
    origin: &crate::domain::audit::Origin,
    filter: &ComplianceFilter,
    dry_run: bool,
) -> AppResult<crate::model::taking::BulkOutcome> {
    let view = build(state, &actor.user, filter, false).await?;
    let mut out = crate::model::taking::BulkOutcome {
        chosen: view.rows.len() as i64,
        ..Default::default()
    };
    for (i, col) in view.columns.iter().enumerate() {
        if !col.open {
            continue;
        }
        let people: Vec<_> = view
            .rows
            .iter()
            .filter(|r| {
                matches!(
                    r.cells[i],
                    Cell::NotStarted | Cell::InProgress | Cell::Failed { .. }
                )
            })
            .map(|r| r.user_id)
            .collect();
        if people.is_empty() {
            continue;
        }
        let cert = {
            let mut c = state.db.read().await?;
            storage::certifications::get(c.conn(), col.id).await?
        };
        let Some(cert) = cert else { continue };
        out.applies += people.len() as i64;
        let r =
            crate::notifications::service::remind(state, actor, origin, &cert, &people, dry_run)
                .await?;
        out.reached += r.reached;
        out.done += r.queued;
    }
    Ok(out)
}
