//! Points, levels, badges and the rating, as rules over plain values.
//!
//! Points are a ledger (the balance is the sum); levels are thresholds on the balance; badges
//! come from rules over activity or from an admin. Only employees earn points, appear in the
//! rating and get activity badges.

use super::Timestamp;
use super::user::Role;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct Level {
    pub number: i64,
    pub name: String,
    pub min_points: i64,
}

/// The level of a balance: the highest whose threshold it reaches (levels in any order).
pub fn level_of(levels: &[Level], balance: i64) -> Option<&Level> {
    levels
        .iter()
        .filter(|l| l.min_points <= balance)
        .max_by_key(|l| l.min_points)
}

/// The level a change of balance reached, if it rose to a new one.
pub fn level_reached(levels: &[Level], before: i64, after: i64) -> Option<&Level> {
    let was = level_of(levels, before).map(|l| l.min_points);
    level_of(levels, after).filter(|l| Some(l.min_points) != was && after > before)
}

/// The next level above a balance, if any.
pub fn next_level(levels: &[Level], balance: i64) -> Option<&Level> {
    levels
        .iter()
        .filter(|l| l.min_points > balance)
        .min_by_key(|l| l.min_points)
}

/// Progress from the current level to the next, 0–100.
pub fn progress_to_next(levels: &[Level], balance: i64) -> i64 {
    let from = level_of(levels, balance).map(|l| l.min_points).unwrap_or(0);
    match next_level(levels, balance) {
        Some(next) if next.min_points > from => (balance - from) * 100 / (next.min_points - from),
        _ => 100,
    }
}

/// Levels must have distinct numbers and thresholds, a first level at 0 points, and
/// thresholds that grow with the number.
pub fn validate_levels(levels: &[Level]) -> Result<(), Msg> {
    let mut sorted = levels.to_vec();
    sorted.sort_by_key(|l| l.number);
    if sorted.is_empty() || sorted[0].min_points != 0 {
        return Err(Msg::ErrLevelsStartAtZero);
    }
    for w in sorted.windows(2) {
        if w[0].number == w[1].number || w[0].min_points >= w[1].min_points {
            return Err(Msg::ErrLevelsOrder);
        }
    }
    if sorted
        .iter()
        .any(|l| l.name.trim().is_empty() || l.name.chars().count() > 60 || l.min_points < 0)
    {
        return Err(Msg::ErrLevelName);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LedgerRefusal {
    #[error("only employees earn points")]
    NotEmployee,
    #[error("the balance would go below zero")]
    NegativeBalance,
    #[error("a change needs a non-zero amount and a reason")]
    Empty,
}

impl LedgerRefusal {
    pub fn msg(self) -> Msg {
        match self {
            LedgerRefusal::NotEmployee => Msg::ErrOnlyEmployeesEarn,
            LedgerRefusal::NegativeBalance => Msg::ErrNegativeBalance,
            LedgerRefusal::Empty => Msg::ErrPointsChange,
        }
    }
}

/// Whether a ledger entry of `delta` may be written for a user of `role` with `balance`.
pub fn check_entry(role: Role, balance: i64, delta: i64) -> Result<(), LedgerRefusal> {
    if !role.earns_rewards() {
        return Err(LedgerRefusal::NotEmployee);
    }
    if delta == 0 {
        return Err(LedgerRefusal::Empty);
    }
    if balance.saturating_add(delta) < 0 {
        return Err(LedgerRefusal::NegativeBalance);
    }
    Ok(())
}

/// The entry that sets a balance to a level's threshold (an admin setting a level, up or down).
pub fn delta_to_level(balance: i64, level: &Level) -> i64 {
    level.min_points - balance
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeRule {
    /// The first certification passed.
    FirstPass,
    /// N certifications passed.
    PassedCount,
    /// A 100% result.
    Perfect,
    /// All assigned theory read.
    AllTheoryRead,
    /// Active in the Mini App N days in a row.
    Streak,
}

impl BadgeRule {
    pub const ALL: [BadgeRule; 5] = [
        BadgeRule::FirstPass,
        BadgeRule::PassedCount,
        BadgeRule::Perfect,
        BadgeRule::AllTheoryRead,
        BadgeRule::Streak,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BadgeRule::FirstPass => "first_pass",
            BadgeRule::PassedCount => "passed_count",
            BadgeRule::Perfect => "perfect",
            BadgeRule::AllTheoryRead => "all_theory_read",
            BadgeRule::Streak => "streak",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            BadgeRule::FirstPass => Msg::RuleFirstPass,
            BadgeRule::PassedCount => Msg::RulePassedCount,
            BadgeRule::Perfect => Msg::RulePerfect,
            BadgeRule::AllTheoryRead => Msg::RuleAllTheoryRead,
            BadgeRule::Streak => Msg::RuleStreak,
        }
    }

    /// Whether the rule takes a number N.
    pub fn takes_n(self) -> bool {
        matches!(self, BadgeRule::PassedCount | BadgeRule::Streak)
    }
}

impl std::str::FromStr for BadgeRule {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BadgeRule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

/// What the rules look at, for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Activity {
    pub certifications_passed: i64,
    pub has_perfect: bool,
    /// Assigned certifications whose theory is read, and how many are assigned.
    pub theory_read: i64,
    pub theory_assigned: i64,
    /// The longest run of consecutive active days ending today.
    pub streak_days: i64,
}

/// Whether an automatic badge's rule is met.
pub fn rule_met(rule: BadgeRule, n: Option<i64>, a: Activity) -> bool {
    match rule {
        BadgeRule::FirstPass => a.certifications_passed >= 1,
        BadgeRule::PassedCount => a.certifications_passed >= n.unwrap_or(1).max(1),
        BadgeRule::Perfect => a.has_perfect,
        BadgeRule::AllTheoryRead => a.theory_assigned > 0 && a.theory_read >= a.theory_assigned,
        BadgeRule::Streak => a.streak_days >= n.unwrap_or(1).max(1),
    }
}

/// Day numbers (days since the epoch in the display offset) of activity → the run of
/// consecutive days that ends today (or yesterday, so a streak lasts until the day is over).
pub fn streak(days: &[i64], today: i64) -> i64 {
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut end = today;
    if !sorted.contains(&today) {
        end = today - 1;
    }
    let mut n = 0;
    while sorted.binary_search(&(end - n)).is_ok() {
        n += 1;
    }
    n
}

/// The day number of an instant in the display offset.
pub fn day_number(t: Timestamp, utc_offset_minutes: i32) -> i64 {
    (t.millis() / 1000 + i64::from(utc_offset_minutes) * 60).div_euclid(86_400)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    Month,
    All,
}

/// The start of a rating period (in the display offset): this week from Monday, this month from
/// the 1st, or everything.
pub fn period_start(period: Period, now: Timestamp, utc_offset_minutes: i32) -> Option<Timestamp> {
    let offset_ms = i64::from(utc_offset_minutes) * 60_000;
    let today = day_number(now, utc_offset_minutes);
    let start_day = match period {
        Period::All => return None,
        // 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) % 7.
        Period::Week => today - (today + 3).rem_euclid(7),
        Period::Month => {
            let date = Timestamp(today * 86_400_000).format_date(0);
            let day_of_month: i64 = date[..2].parse().unwrap_or(1);
            today - (day_of_month - 1)
        }
    };
    Some(Timestamp(start_day * 86_400_000 - offset_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<Level> {
        vec![
            Level {
                number: 1,
                name: "Новичок".into(),
                min_points: 0,
            },
            Level {
                number: 3,
                name: "Эксперт".into(),
                min_points: 500,
            },
            Level {
                number: 2,
                name: "Знаток".into(),
                min_points: 200,
            },
        ]
    }

    #[test]
    fn the_level_is_derived_from_the_balance() {
        let l = levels();
        assert_eq!(level_of(&l, 0).unwrap().number, 1);
        assert_eq!(level_of(&l, 199).unwrap().number, 1);
        assert_eq!(level_of(&l, 200).unwrap().number, 2);
        assert_eq!(level_of(&l, 10_000).unwrap().number, 3);
        assert_eq!(next_level(&l, 250).unwrap().number, 3);
        assert_eq!(next_level(&l, 500), None);
        assert_eq!(progress_to_next(&l, 350), 50);
        assert_eq!(progress_to_next(&l, 600), 100);
    }

    #[test]
    fn setting_a_level_moves_the_balance_to_its_threshold() {
        let l = levels();
        assert_eq!(delta_to_level(120, &l[1]), 380);
        assert_eq!(
            delta_to_level(900, &l[2]),
            -700,
            "down, to correct a mistake"
        );
    }

    #[test]
    fn level_tables_are_validated() {
        assert_eq!(validate_levels(&levels()), Ok(()));
        let mut bad = levels();
        bad[0].min_points = 10;
        assert_eq!(validate_levels(&bad), Err(Msg::ErrLevelsStartAtZero));
        let mut bad = levels();
        bad[2].min_points = 600;
        assert_eq!(validate_levels(&bad), Err(Msg::ErrLevelsOrder));
    }

    #[test]
    fn the_ledger_pays_only_employees_and_never_goes_negative() {
        assert_eq!(check_entry(Role::Employee, 10, 5), Ok(()));
        assert_eq!(check_entry(Role::Employee, 10, -10), Ok(()));
        assert_eq!(
            check_entry(Role::Employee, 10, -11),
            Err(LedgerRefusal::NegativeBalance)
        );
        assert_eq!(
            check_entry(Role::Manager, 0, 100),
            Err(LedgerRefusal::NotEmployee)
        );
        assert_eq!(
            check_entry(Role::Admin, 0, 100),
            Err(LedgerRefusal::NotEmployee)
        );
        assert_eq!(check_entry(Role::Employee, 0, 0), Err(LedgerRefusal::Empty));
    }

    #[test]
    fn each_badge_rule() {
        let a = Activity {
            certifications_passed: 2,
            has_perfect: false,
            theory_read: 3,
            theory_assigned: 3,
            streak_days: 4,
        };
        assert!(rule_met(BadgeRule::FirstPass, None, a));
        assert!(rule_met(BadgeRule::PassedCount, Some(2), a));
        assert!(!rule_met(BadgeRule::PassedCount, Some(3), a));
        assert!(!rule_met(BadgeRule::Perfect, None, a));
        assert!(rule_met(
            BadgeRule::Perfect,
            None,
            Activity {
                has_perfect: true,
                ..a
            }
        ));
        assert!(rule_met(BadgeRule::AllTheoryRead, None, a));
        assert!(!rule_met(
            BadgeRule::AllTheoryRead,
            None,
            Activity {
                theory_read: 2,
                ..a
            }
        ));
        assert!(
            !rule_met(BadgeRule::AllTheoryRead, None, Activity::default()),
            "nothing assigned, nothing read"
        );
        assert!(rule_met(BadgeRule::Streak, Some(4), a));
        assert!(!rule_met(BadgeRule::Streak, Some(5), a));
        assert!(!rule_met(BadgeRule::FirstPass, None, Activity::default()));
    }

    #[test]
    fn streaks_count_consecutive_days_up_to_today() {
        assert_eq!(streak(&[10, 11, 12], 12), 3);
        assert_eq!(streak(&[10, 11, 12], 13), 3, "today is not over yet");
        assert_eq!(streak(&[10, 11, 12], 14), 0);
        assert_eq!(streak(&[8, 10, 11, 12, 12], 12), 3);
        assert_eq!(streak(&[], 12), 0);
    }

    #[test]
    fn periods_start_on_monday_and_on_the_first() {
        // Wednesday 2026-11-25 12:00 UTC.
        let now = Timestamp(1_795_608_000_000);
        let week = period_start(Period::Week, now, 0).unwrap();
        assert_eq!(week.format_datetime(0), "23.11.2026 00:00");
        let month = period_start(Period::Month, now, 180).unwrap();
        assert_eq!(month.format_datetime(180), "01.11.2026 00:00");
        assert_eq!(period_start(Period::All, now, 0), None);
    }

    #[test]
    fn a_level_is_reached_only_when_the_balance_crosses_its_threshold() {
        let levels = vec![
            Level {
                number: 1,
                name: "Новичок".into(),
                min_points: 0,
            },
            Level {
                number: 2,
                name: "Знаток".into(),
                min_points: 100,
            },
        ];
        assert_eq!(level_reached(&levels, 50, 120).map(|l| l.number), Some(2));
        assert_eq!(level_reached(&levels, 100, 150), None);
        assert_eq!(level_reached(&levels, 10, 90), None);
        assert_eq!(level_reached(&levels, 150, 50), None);
    }
}
