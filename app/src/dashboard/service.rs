//! The dashboard from the compliance matrix of everyone in scope and the attempts of the last
//! 30 days.

use super::{ACTIVITY_DAYS, BranchRate, DUE_SOON_DAYS, Dashboard, DayActivity, OpenCert};
use crate::auth::guard;
use crate::auth::service::internal;
use crate::compliance::ComplianceFilter;
use crate::compliance::service::{build, scope_of};
use crate::domain::Timestamp;
use crate::domain::compliance::{Cell, daily, pass_rate};
use crate::domain::permissions::Module;
use crate::error::AppResult;
use crate::storage;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

pub async fn dashboard_for_admin() -> AppResult<Dashboard> {
    let actor = guard::module(Module::Certifications).await?;
    let state = guard::state();
    let matrix = build(&state, &actor.user, &ComplianceFilter::default(), false).await?;
    let now = state.now();
    let soon = Timestamp(now.0 + DUE_SOON_DAYS * DAY_MS);
    let mut open = Vec::new();
    let (mut in_progress, mut due_soon, mut overdue) = (0, 0, 0);
    for (i, col) in matrix.columns.iter().enumerate() {
        let cells: Vec<Cell> = matrix.rows.iter().map(|r| r.cells[i]).collect();
        let count = |f: &dyn Fn(&Cell) -> bool| cells.iter().filter(|c| f(c)).count() as i64;
        let running = count(&|c| *c == Cell::InProgress);
        in_progress += running;
        overdue += count(&|c| matches!(c, Cell::Overdue { .. }));
        if col.closes_at.is_some_and(|at| at > now && at <= soon) {
            due_soon +=
                count(&|c| matches!(c, Cell::NotStarted | Cell::Failed { .. } | Cell::InProgress));
        }
        if col.open {
            open.push(OpenCert {
                id: col.id,
                title: col.title.clone(),
                closes_at: col.closes_at,
                assigned: count(&|c| *c != Cell::NotAssigned),
                passed: count(&|c| matches!(c, Cell::Passed { .. })),
                in_progress: running,
                pass_rate: pass_rate(cells.iter().copied()),
            });
        }
    }
    // Every cell of a branch's people, across certifications.
    let mut by_branch: BTreeMap<String, Vec<Cell>> = BTreeMap::new();
    for r in &matrix.rows {
        if let Some(b) = &r.branch {
            by_branch
                .entry(b.clone())
                .or_default()
                .extend(r.cells.iter().copied());
        }
    }
    let mut rates: Vec<BranchRate> = by_branch
        .into_iter()
        .filter_map(|(name, cells)| pass_rate(cells).map(|rate| BranchRate { name, rate }))
        .collect();
    rates.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.name.cmp(&b.name)));
    let top_branches: Vec<BranchRate> = rates.iter().take(3).cloned().collect();
    let bottom_branches: Vec<BranchRate> = rates
        .iter()
        .rev()
        .take(3)
        .filter(|b| !top_branches.contains(b))
        .cloned()
        .collect();
    let scope = scope_of(&state, &actor.user).await?;
    let offset = state.config.display_utc_offset_minutes;
    let since = Timestamp(now.0 - ACTIVITY_DAYS * DAY_MS);
    let finished = {
        let mut c = state.db.read().await.map_err(internal)?;
        storage::compliance::finished_since(c.conn(), &scope, since)
            .await
            .map_err(internal)?
    };
    let activity = daily(&finished, now, offset, ACTIVITY_DAYS)
        .into_iter()
        .map(|(day, attempts, passes)| DayActivity {
            day,
            attempts,
            passes,
        })
        .collect();
    Ok(Dashboard {
        open,
        in_progress,
        due_soon,
        overdue,
        activity,
        top_branches,
        bottom_branches,
    })
}
