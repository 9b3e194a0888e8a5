//! The dashboard: the compliance cells of everyone in scope counted in groups, the attempts of
//! the last 30 days per day, and the newest badges and level-ups.

use super::{
    ACTIVITY_DAYS, BranchStanding, DUE_SOON_DAYS, Dashboard, DayActivity, OpenCert, RECENT,
    RecentRecognition, Recognition,
};
use crate::domain::rates::Rates;

use crate::compliance::service::scope_of;
use crate::domain::Timestamp;
use crate::domain::compliance::{Cell, CellInput, cell, daily, first_day, pair_groups};
use crate::domain::scope::PeopleScope;
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::export::{ExportCell, ExportTable};
use crate::i18n::{Lang, Msg};
use crate::state::AppState;
use crate::storage::dictionaries::Dictionary;
use crate::storage::{self, StorageError};
use std::collections::HashMap;

const DAY_MS: i64 = 86_400_000;

pub use crate::model::dashboard::Figures;

async fn figures(state: &AppState, scope: &PeopleScope, first: Timestamp) -> AppResult<Figures> {
    let read = async {
        let mut c = state.db.read().await?;
        let columns = storage::compliance::columns(c.conn()).await?;
        let people = storage::dashboard::people_groups(c.conn(), scope).await?;
        let assignments = storage::dashboard::group_assignments(c.conn()).await?;
        let progress = storage::dashboard::progress_groups(c.conn(), scope).await?;
        let direct = storage::dashboard::direct_without_progress(c.conn(), scope).await?;
        let groups = pair_groups(&people, &assignments, &progress, &direct);
        let activity = storage::dashboard::activity(c.conn(), scope, first).await?;
        let branches = storage::dictionaries::list(c.conn(), Dictionary::Branches).await?;
        Ok::<_, StorageError>(Figures {
            columns,
            groups,
            activity,
            branches,
        })
    };
    read.await.map_err(AppError::from)
}

/// The dashboard of `user` (already checked for the certifications module): the compliance
/// pairs counted in groups (`domain::compliance::pair_groups`), each group's cell decided by
/// `domain::compliance::cell`.
pub async fn dashboard_of(state: &AppState, user: &User) -> AppResult<Dashboard> {
    let scope = scope_of(state, user).await?;
    let now = state.now();
    let offset = state.config.display_utc_offset_minutes;
    let first = first_day(now, offset, ACTIVITY_DAYS);
    let figures = state
        .caches
        .dashboard
        .get(
            &state.db,
            (scope.clone(), first),
            figures(state, &scope, first),
        )
        .await?;
    let Figures {
        columns,
        groups,
        activity,
        branches,
    } = &*figures;
    let soon = Timestamp(now.0 + DUE_SOON_DAYS * DAY_MS);
    let column: HashMap<_, _> = columns.iter().map(|c| (c.id, c)).collect();
    // Per certification and per branch, as `domain::rates` counts them.
    #[derive(Default)]
    struct Tally {
        rates: Rates,
        running: i64,
        overdue: i64,
        due_soon: i64,
    }
    let mut per_cert: HashMap<crate::domain::CertId, Tally> = HashMap::new();
    let mut per_branch: HashMap<Option<i64>, Tally> = HashMap::new();
    let mut overall = Rates::default();
    let (mut in_progress, mut due_soon, mut overdue) = (0, 0, 0);
    for g in groups {
        let cert = crate::domain::CertId(g.cert);
        let Some(col) = column.get(&cert) else {
            continue;
        };
        let input = CellInput {
            assigned: g.assigned,
            attempts_used: i64::from(g.tried),
            best_percent: None,
            passed: g.passed,
            in_progress: g.in_progress,
            closed: col.status == "closed",
            closes_at: col.closes_at,
        };
        let c = cell(input, now);
        if c == Cell::NotAssigned {
            continue;
        }
        let passed = matches!(c, Cell::Passed { .. });
        let is_due_soon = col.closes_at.is_some_and(|at| at > now && at <= soon)
            && matches!(c, Cell::NotStarted | Cell::Failed { .. } | Cell::InProgress);
        let is_overdue = matches!(c, Cell::Overdue { .. });
        overall.add_n(g.n, g.tried, passed);
        for t in [
            per_cert.entry(cert).or_default(),
            per_branch.entry(g.branch).or_default(),
        ] {
            t.rates.add_n(g.n, g.tried, passed);
            t.running += if c == Cell::InProgress { g.n } else { 0 };
            t.overdue += if is_overdue { g.n } else { 0 };
            t.due_soon += if is_due_soon { g.n } else { 0 };
        }
        if c == Cell::InProgress {
            in_progress += g.n;
        }
        if is_overdue {
            overdue += g.n;
        }
        if is_due_soon {
            due_soon += g.n;
        }
    }
    let open = columns
        .iter()
        .filter(|c| c.status == "open")
        .filter_map(|c| {
            let t = per_cert.get(&c.id)?;
            Some(OpenCert {
                id: c.id,
                title: c.title.clone(),
                closes_at: c.closes_at,
                assigned: t.rates.assigned,
                passed: t.rates.passed,
                in_progress: t.running,
                completion: t.rates.completion(),
            })
        })
        .collect();
    let names: HashMap<i64, String> = branches.iter().map(|b| (b.id, b.name.clone())).collect();
    let mut branches: Vec<BranchStanding> = per_branch
        .into_iter()
        .filter_map(|(b, t)| {
            let name = match b {
                Some(id) => names.get(&id)?.clone(),
                None => "—".to_owned(),
            };
            Some(BranchStanding {
                branch: b,
                name,
                rates: t.rates,
                overdue: t.overdue,
                due_soon: t.due_soon,
            })
        })
        .collect();
    branches.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(b.due_soon.cmp(&a.due_soon))
            .then(a.name.cmp(&b.name))
    });
    let activity = daily(activity, now, offset, ACTIVITY_DAYS)
        .into_iter()
        .map(|(day, attempts, passes)| DayActivity {
            day,
            attempts,
            passes,
        })
        .collect();
    let recent = recent(state, &scope).await.map_err(AppError::from)?;
    Ok(Dashboard {
        open,
        in_progress,
        due_soon,
        overdue,
        overall,
        branches,
        activity,
        recent,
    })
}

/// Folds the deltas of the kept compliance counts into the counts (a leader job; only
/// PostgreSQL's triggers append deltas): how many were folded.
pub async fn fold_counts(state: &AppState) -> Result<u64, StorageError> {
    if state.db.backend() != storage::Backend::Postgres {
        return Ok(0);
    }
    let mut tx = state.db.begin().await?;
    let n = storage::dashboard::fold_counts(tx.conn()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Level-ups looked at to find the newest [`RECENT`] of people in scope.
const LEVEL_UPS_SCANNED: i64 = 500;

/// The newest badges and level-ups of people in scope, newest first.
async fn recent(
    state: &AppState,
    scope: &PeopleScope,
) -> Result<Vec<RecentRecognition>, StorageError> {
    let mut c = state.db.read().await?;
    let name = |first: &str, last: &str| format!("{first} {last}").trim().to_owned();
    let mut out: Vec<RecentRecognition> =
        storage::dashboard::recent_badges(c.conn(), scope, RECENT as i64)
            .await?
            .into_iter()
            .map(|b| RecentRecognition {
                at: b.awarded_at,
                user_id: b.user_id,
                person: name(&b.first_name, &b.last_name),
                what: Recognition::Badge { name: b.badge },
            })
            .collect();
    let ups = storage::dashboard::recent_level_ups(c.conn(), LEVEL_UPS_SCANNED).await?;
    let mut ids: Vec<_> = ups.iter().map(|u| u.1).collect();
    ids.sort();
    ids.dedup();
    let people: HashMap<_, _> = storage::dashboard::people_in_scope(c.conn(), scope, &ids)
        .await?
        .into_iter()
        .map(|(id, f, l)| (id, name(&f, &l)))
        .collect();
    let levels: HashMap<i64, String> = storage::gamification::levels(c.conn())
        .await?
        .into_iter()
        .map(|l| (l.number, l.name))
        .collect();
    out.extend(
        ups.into_iter()
            .filter_map(|(at, user_id, number)| {
                Some(RecentRecognition {
                    at,
                    user_id,
                    person: people.get(&user_id)?.clone(),
                    what: Recognition::Level {
                        number,
                        name: levels.get(&number).cloned().unwrap_or_default(),
                    },
                })
            })
            .take(RECENT),
    );
    out.sort_by_key(|r| std::cmp::Reverse(r.at));
    out.truncate(RECENT);
    Ok(out)
}

/// The open certifications' table, for the exports, in `lang`.
pub fn table_of(d: &Dashboard, lang: Lang) -> ExportTable {
    let h = |m: Msg| m.text(lang).to_owned();
    let mut t = ExportTable::new(
        "dashboard",
        vec![
            h(Msg::DashboardCertification),
            h(Msg::ClosesAtHeader),
            h(Msg::DashboardAssigned),
            h(Msg::DashboardNotPassed),
            h(Msg::DashboardInProgressHeader),
            h(Msg::RateCompletionHeader),
        ],
    );
    for c in &d.open {
        t.rows.push(vec![
            ExportCell::text(c.title.clone()),
            c.closes_at.map_or(ExportCell::Empty, ExportCell::At),
            ExportCell::Int(c.assigned),
            ExportCell::Int(c.assigned - c.passed),
            ExportCell::Int(c.in_progress),
            ExportCell::opt_percent(c.completion.map(|r| r as f64)),
        ]);
    }
    t
}
