//! Compliance: where each person stands in each certification they are assigned, as one
//! cell of the people × certifications matrix, and the share of assigned people who passed.

use super::Timestamp;
use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

/// One cell of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Cell {
    /// Not assigned and never tried: an empty cell.
    NotAssigned,
    NotStarted,
    InProgress,
    /// `percent` is unknown after a reset that kept the pass.
    Passed {
        percent: Option<i64>,
    },
    /// Tried, not passed yet (attempts may be left).
    Failed {
        percent: i64,
    },
    /// The close date passed (or the certification was closed) before the person passed.
    Overdue {
        best: Option<i64>,
    },
}

/// What a cell can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    NotStarted,
    InProgress,
    Passed,
    Failed,
    Overdue,
}

impl CellKind {
    pub const ALL: [CellKind; 5] = [
        CellKind::Overdue,
        CellKind::NotStarted,
        CellKind::InProgress,
        CellKind::Failed,
        CellKind::Passed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CellKind::NotStarted => "not_started",
            CellKind::InProgress => "in_progress",
            CellKind::Passed => "passed",
            CellKind::Failed => "failed",
            CellKind::Overdue => "overdue",
        }
    }

    pub fn parse(s: &str) -> Option<CellKind> {
        CellKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> Msg {
        match self {
            CellKind::NotStarted => Msg::CellNotStarted,
            CellKind::InProgress => Msg::CellInProgress,
            CellKind::Passed => Msg::CellPassed,
            CellKind::Failed => Msg::CellFailed,
            CellKind::Overdue => Msg::CellOverdue,
        }
    }
}

impl Cell {
    pub fn kind(self) -> Option<CellKind> {
        match self {
            Cell::NotAssigned => None,
            Cell::NotStarted => Some(CellKind::NotStarted),
            Cell::InProgress => Some(CellKind::InProgress),
            Cell::Passed { .. } => Some(CellKind::Passed),
            Cell::Failed { .. } => Some(CellKind::Failed),
            Cell::Overdue { .. } => Some(CellKind::Overdue),
        }
    }
}

/// What one person's cell depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellInput {
    pub assigned: bool,
    pub attempts_used: i64,
    pub best_percent: Option<i64>,
    pub passed: bool,
    pub in_progress: bool,
    /// The certification was closed by hand.
    pub closed: bool,
    pub closes_at: Option<Timestamp>,
}

/// A pass counts whatever happens later; then a running attempt; then the close date.
pub fn cell(i: CellInput, now: Timestamp) -> Cell {
    if i.passed {
        return Cell::Passed {
            percent: i.best_percent,
        };
    }
    if !i.assigned && i.attempts_used == 0 && !i.in_progress {
        return Cell::NotAssigned;
    }
    if i.in_progress {
        return Cell::InProgress;
    }
    if i.closed || i.closes_at.is_some_and(|c| now >= c) {
        return Cell::Overdue {
            best: i.best_percent,
        };
    }
    if i.attempts_used > 0 {
        return Cell::Failed {
            percent: i.best_percent.unwrap_or(0),
        };
    }
    Cell::NotStarted
}

/// Passed among the cells that count (assigned or tried), in whole percent.
pub fn pass_rate(cells: impl IntoIterator<Item = Cell>) -> Option<i64> {
    let (mut counted, mut passed) = (0i64, 0i64);
    for c in cells {
        match c {
            Cell::NotAssigned => {}
            Cell::Passed { .. } => {
                counted += 1;
                passed += 1;
            }
            _ => counted += 1,
        }
    }
    (counted > 0).then(|| passed * 100 / counted)
}

/// The start of the first of the last `days` days (today last), days starting at local
/// midnight `offset_minutes` east of UTC.
pub fn first_day(now: Timestamp, offset_minutes: i32, days: i64) -> Timestamp {
    const DAY: i64 = 86_400_000;
    let shift = i64::from(offset_minutes) * 60_000;
    let today = (now.0 + shift).div_euclid(DAY) * DAY - shift;
    Timestamp(today - (days - 1) * DAY)
}

/// Attempts and passes per day over the last `days` days from `(day number from
/// [`first_day`], attempts, passes)` counts: `(day start, attempts, passes)`, every day listed.
pub fn daily(
    counts: &[(i64, i64, i64)],
    now: Timestamp,
    offset_minutes: i32,
    days: i64,
) -> Vec<(Timestamp, i64, i64)> {
    const DAY: i64 = 86_400_000;
    let first = first_day(now, offset_minutes, days).0;
    let mut out: Vec<(Timestamp, i64, i64)> = (0..days)
        .map(|d| (Timestamp(first + d * DAY), 0, 0))
        .collect();
    for (d, attempts, passes) in counts {
        if let Some(slot) = usize::try_from(*d).ok().and_then(|d| out.get_mut(d)) {
            slot.1 += attempts;
            slot.2 += passes;
        }
    }
    out
}

/// Active people in scope with one branch and position, and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeopleGroup {
    pub branch: Option<i64>,
    pub position: Option<i64>,
    pub n: i64,
}

/// Progress rows (a person's standing in a certification) sharing a certification, a
/// branch and position and the cell inputs; `direct`: assigned to them by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressGroup {
    pub cert: i64,
    pub branch: Option<i64>,
    pub position: Option<i64>,
    pub direct: bool,
    pub tried: bool,
    pub passed: bool,
    pub in_progress: bool,
    pub n: i64,
}

/// Progress groups from `plain` counts (every row as neither assigned by name nor running)
/// and the few `special` rows that are (each group of them taken out of its plain group), so
/// the database looks those two things up for the few rows that have them only.
pub fn with_special(plain: &[ProgressGroup], special: &[ProgressGroup]) -> Vec<ProgressGroup> {
    let key = |g: &ProgressGroup| (g.cert, g.branch, g.position, g.tried, g.passed);
    let mut out: Vec<ProgressGroup> = plain.to_vec();
    for sp in special {
        if let Some(p) = out
            .iter_mut()
            .find(|p| !p.direct && !p.in_progress && key(p) == key(sp))
        {
            p.n -= sp.n;
        }
        out.push(*sp);
    }
    out.retain(|g| g.n > 0);
    out
}

/// Who a certification is assigned to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    pub branches: std::collections::BTreeSet<i64>,
    pub positions: std::collections::BTreeSet<i64>,
}

impl Assignment {
    fn covers(&self, branch: Option<i64>, position: Option<i64>) -> bool {
        branch.is_some_and(|b| self.branches.contains(&b))
            || position.is_some_and(|p| self.positions.contains(&p))
    }
}

/// Pairs sharing a certification, a branch and the inputs of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairGroup {
    pub cert: i64,
    pub branch: Option<i64>,
    pub assigned: bool,
    pub tried: bool,
    pub passed: bool,
    pub in_progress: bool,
    pub n: i64,
}

/// The compliance matrix's (person, certification) pairs counted in groups without listing
/// them: people assigned by branch or position with no progress yet are the group's people
/// less those with progress; people assigned by name with no progress come as `direct`
/// `(cert, branch, position, n)` counts; everyone with progress comes in `progress`.
pub fn pair_groups(
    people: &[PeopleGroup],
    assignments: &std::collections::BTreeMap<i64, Assignment>,
    progress: &[ProgressGroup],
    direct: &[(i64, Option<i64>, Option<i64>, i64)],
) -> Vec<PairGroup> {
    use std::collections::HashMap;
    let mut with_progress: HashMap<(i64, Option<i64>, Option<i64>), i64> = HashMap::new();
    let mut out = Vec::new();
    for p in progress {
        *with_progress
            .entry((p.cert, p.branch, p.position))
            .or_default() += p.n;
        let by_group = assignments
            .get(&p.cert)
            .is_some_and(|a| a.covers(p.branch, p.position));
        out.push(PairGroup {
            cert: p.cert,
            branch: p.branch,
            assigned: by_group || p.direct,
            tried: p.tried,
            passed: p.passed,
            in_progress: p.in_progress,
            n: p.n,
        });
    }
    let fresh = |cert: i64, branch: Option<i64>, n: i64| PairGroup {
        cert,
        branch,
        assigned: true,
        tried: false,
        passed: false,
        in_progress: false,
        n,
    };
    for (&cert, a) in assignments {
        for g in people.iter().filter(|g| a.covers(g.branch, g.position)) {
            let started = with_progress
                .get(&(cert, g.branch, g.position))
                .copied()
                .unwrap_or(0);
            if g.n > started {
                out.push(fresh(cert, g.branch, g.n - started));
            }
        }
    }
    for &(cert, branch, position, n) in direct {
        // Assigned by name in a group assigned as a whole: counted with the group above.
        if !assignments
            .get(&cert)
            .is_some_and(|a| a.covers(branch, position))
        {
            out.push(fresh(cert, branch, n));
        }
    }
    out
}

/// A cell as the page and the CSV write it.
pub fn cell_text(c: Cell, lang: Lang) -> String {
    match c {
        Cell::NotAssigned => String::new(),
        Cell::NotStarted => Msg::CellNotStarted.text(lang).to_owned(),
        Cell::InProgress => Msg::CellInProgress.text(lang).to_owned(),
        Cell::Passed { percent: Some(p) } => format!("{} {p}%", Msg::CellPassed.text(lang)),
        Cell::Passed { percent: None } => Msg::CellPassed.text(lang).to_owned(),
        Cell::Failed { percent } => format!("{} {percent}%", Msg::CellFailed.text(lang)),
        Cell::Overdue { best: Some(b) } => format!("{} {b}%", Msg::CellOverdue.text(lang)),
        Cell::Overdue { best: None } => Msg::CellOverdue.text(lang).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assigned() -> CellInput {
        CellInput {
            assigned: true,
            attempts_used: 0,
            best_percent: None,
            passed: false,
            in_progress: false,
            closed: false,
            closes_at: Some(Timestamp(1_000)),
        }
    }

    #[test]
    fn the_close_date_makes_an_unpassed_assignment_overdue() {
        let before = Timestamp(999);
        let after = Timestamp(1_000);
        assert_eq!(cell(assigned(), before), Cell::NotStarted);
        assert_eq!(cell(assigned(), after), Cell::Overdue { best: None });
        let tried = CellInput {
            attempts_used: 1,
            best_percent: Some(40),
            ..assigned()
        };
        assert_eq!(cell(tried, before), Cell::Failed { percent: 40 });
        assert_eq!(cell(tried, after), Cell::Overdue { best: Some(40) });
        let passed = CellInput {
            passed: true,
            best_percent: Some(90),
            attempts_used: 1,
            ..assigned()
        };
        assert_eq!(
            cell(passed, after),
            Cell::Passed { percent: Some(90) },
            "a pass stays a pass"
        );
        let running = CellInput {
            in_progress: true,
            ..assigned()
        };
        assert_eq!(cell(running, before), Cell::InProgress);
        let closed = CellInput {
            closed: true,
            closes_at: None,
            ..assigned()
        };
        assert_eq!(cell(closed, before), Cell::Overdue { best: None });
        let other = CellInput {
            assigned: false,
            ..assigned()
        };
        assert_eq!(cell(other, after), Cell::NotAssigned);
    }

    #[test]
    fn days_start_at_local_midnight() {
        const H: i64 = 3_600_000;
        // 10:00 UTC is 13:00 in Moscow (UTC+3).
        let now = Timestamp(1_764_669_600_000);
        let first = first_day(now, 180, 3);
        // As the database groups them: whole days since the first day's start.
        let mut counts: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
        for (at, passed) in [
            (now.0 - 2 * H, true),
            (now.0 - 12 * H, false), // 01:00 Moscow the same day
            (now.0 - 14 * H, true),  // 23:00 Moscow the day before
        ] {
            let e = counts.entry((at - first.0) / (24 * H)).or_default();
            e.0 += 1;
            e.1 += i64::from(passed);
        }
        let counts: Vec<(i64, i64, i64)> =
            counts.into_iter().map(|(d, (a, p))| (d, a, p)).collect();
        let days = daily(&counts, now, 180, 3);
        assert_eq!(days.len(), 3);
        assert_eq!((days[2].1, days[2].2), (2, 1), "today");
        assert_eq!((days[1].1, days[1].2), (1, 1), "yesterday");
        assert_eq!((days[0].1, days[0].2), (0, 0));
        assert_eq!((days[2].0.0 + 3 * H) % (24 * H), 0, "local midnight");
    }

    #[test]
    fn the_rate_counts_assigned_cells_only() {
        let cells = [
            Cell::Passed { percent: Some(90) },
            Cell::Failed { percent: 10 },
            Cell::NotAssigned,
            Cell::Overdue { best: None },
        ];
        assert_eq!(pass_rate(cells), Some(33));
        assert_eq!(pass_rate([Cell::NotAssigned]), None);
    }

    #[test]
    fn pairs_are_counted_from_groups_without_listing_them() {
        use std::collections::BTreeMap;
        // Branch 1: 10 people (3 with position 7); branch 2: 5 people; no branch: 2.
        let people = [
            PeopleGroup {
                branch: Some(1),
                position: None,
                n: 7,
            },
            PeopleGroup {
                branch: Some(1),
                position: Some(7),
                n: 3,
            },
            PeopleGroup {
                branch: Some(2),
                position: None,
                n: 5,
            },
            PeopleGroup {
                branch: None,
                position: None,
                n: 2,
            },
        ];
        // Certification 100 goes to branch 1; certification 200 to position 7.
        let mut assignments = BTreeMap::new();
        assignments.insert(
            100,
            Assignment {
                branches: [1].into(),
                ..Default::default()
            },
        );
        assignments.insert(
            200,
            Assignment {
                positions: [7].into(),
                ..Default::default()
            },
        );
        let p = |cert, branch, position, direct, tried, passed, n| ProgressGroup {
            cert,
            branch,
            position,
            direct,
            tried,
            passed,
            in_progress: false,
            n,
        };
        let progress = [
            // In branch 1: 2 passed, 1 tried and failed.
            p(100, Some(1), None, false, true, true, 2),
            p(100, Some(1), Some(7), false, true, false, 1),
            // Branch 2, not assigned, tried anyway.
            p(100, Some(2), None, false, true, false, 1),
            // Assigned by name, without a branch, passed.
            p(100, None, None, true, true, true, 1),
        ];
        // Assigned by name with no progress: one in branch 2 (counted), one in branch 1
        // (already one of branch 1's people).
        let direct = [(100, Some(2), None, 1), (100, Some(1), None, 1)];
        let groups = pair_groups(&people, &assignments, &progress, &direct);
        let total = |f: &dyn Fn(&PairGroup) -> bool| -> i64 {
            groups.iter().filter(|g| f(g)).map(|g| g.n).sum()
        };
        // Certification 100: 10 in branch 1 (7 fresh), 1 tried in branch 2 (not assigned),
        // 1 by name without a branch, 1 by name in branch 2.
        assert_eq!(total(&|g| g.cert == 100 && g.assigned), 12);
        assert_eq!(total(&|g| g.cert == 100 && g.assigned && !g.tried), 8);
        assert_eq!(total(&|g| g.cert == 100 && !g.assigned), 1);
        assert_eq!(total(&|g| g.cert == 100 && g.passed), 3);
        // Certification 200: the 3 people of position 7, none started.
        assert_eq!(total(&|g| g.cert == 200 && g.assigned && !g.tried), 3);
        assert_eq!(total(&|g| g.cert == 200), 3);
    }

    #[test]
    fn special_rows_move_out_of_their_plain_group() {
        let g = |direct, in_progress, n| ProgressGroup {
            cert: 1,
            branch: Some(2),
            position: None,
            direct,
            tried: true,
            passed: false,
            in_progress,
            n,
        };
        let out = with_special(
            &[g(false, false, 10)],
            &[g(false, true, 3), g(true, false, 1)],
        );
        let n = |d, r| {
            out.iter()
                .filter(|x| x.direct == d && x.in_progress == r)
                .map(|x| x.n)
                .sum::<i64>()
        };
        assert_eq!((n(false, false), n(false, true), n(true, false)), (6, 3, 1));
        assert_eq!(
            out.iter().map(|x| x.n).sum::<i64>(),
            10,
            "nobody counted twice"
        );
    }
}
