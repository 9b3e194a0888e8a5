//! Where a user stands with a certification: theory reading and the state shown in
//! "My certifications".

use super::certification::CertStatus;
use serde::{Deserialize, Serialize};

/// Whether the theory counts as read: the user read some version and no later version asks
/// for re-reading. (A new version without that flag keeps the read status.)
pub fn theory_is_read(read_version: Option<i64>, versions: &[(i64, bool)]) -> bool {
    match read_version {
        None => false,
        Some(read) => !versions.iter().any(|(v, reread)| *v > read && *reread),
    }
}

/// Milliseconds each block still needs to be on screen (0 when read long enough).
pub fn still_to_read(min_read_secs: i64, dwell_ms: &[i64]) -> Vec<i64> {
    let min = min_read_secs * 1000;
    dwell_ms.iter().map(|d| (min - d).max(0)).collect()
}

/// Every block was displayed for at least the minimum reading time.
pub fn all_blocks_read(min_read_secs: i64, dwell_ms: &[i64]) -> bool {
    !dwell_ms.is_empty()
        && still_to_read(min_read_secs, dwell_ms)
            .iter()
            .all(|r| *r == 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MyCertState {
    /// Assigned, nothing done yet.
    New,
    /// Some theory pages read long enough, not all of them yet.
    Reading {
        read: i64,
        of: i64,
    },
    /// Theory read, no attempt yet.
    TheoryRead,
    InProgress {
        remaining_ms: i64,
    },
    /// Passed, below 100%, attempts left: may improve.
    Passed {
        best: i64,
        attempts_left: i64,
    },
    NotPassed {
        best: i64,
        attempts_left: i64,
    },
    /// No more attempts (used up, or 100%).
    Finished {
        best: i64,
        passed: bool,
    },
    /// Closed before the user finished.
    Closed {
        best: Option<i64>,
        passed: bool,
    },
}

impl MyCertState {
    /// Sort key: what needs action first.
    pub fn urgency(self) -> u8 {
        match self {
            MyCertState::InProgress { .. } => 0,
            MyCertState::NotPassed { attempts_left, .. } if attempts_left > 0 => 1,
            MyCertState::New | MyCertState::Reading { .. } => 2,
            MyCertState::TheoryRead => 3,
            MyCertState::Passed { .. } => 4,
            MyCertState::NotPassed { .. } | MyCertState::Finished { .. } => 5,
            MyCertState::Closed { .. } => 6,
        }
    }
}

impl MyCertState {
    /// The state as the admin panel names it (the Mini App speaks to the person instead).
    pub fn admin_text(self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::Msg;
        let n = |v: i64| v.to_string();
        match self {
            MyCertState::New => Msg::PsNew.text(lang).into(),
            MyCertState::Reading { read, of } => {
                Msg::PsReading.with(lang, &[("read", &n(read)), ("of", &n(of))])
            }
            MyCertState::TheoryRead => Msg::PsTheoryRead.text(lang).into(),
            MyCertState::InProgress { .. } => Msg::PsInProgress.text(lang).into(),
            MyCertState::Passed { best, .. }
            | MyCertState::Finished {
                best, passed: true, ..
            } => Msg::PsPassed.with(lang, &[("best", &n(best))]),
            MyCertState::NotPassed {
                best,
                attempts_left,
            } => Msg::PsNotPassed.with(lang, &[("best", &n(best)), ("left", &n(attempts_left))]),
            MyCertState::Finished { best, .. } => {
                Msg::PsFinishedFailed.with(lang, &[("best", &n(best))])
            }
            MyCertState::Closed { passed: true, .. } => Msg::PsClosedPassed.text(lang).into(),
            MyCertState::Closed { .. } => Msg::PsClosedNotPassed.text(lang).into(),
        }
    }
}

/// Everything the state depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateInput {
    pub status: CertStatus,
    pub theory_read: bool,
    /// Theory pages of the current version read for their minimum time, and how many there are.
    pub pages_read: i64,
    pub pages: i64,
    pub in_progress_remaining_ms: Option<i64>,
    pub attempts_used: i64,
    pub max_attempts: i64,
    pub best_percent: Option<i64>,
    pub threshold: i64,
}

pub fn my_state(i: StateInput) -> MyCertState {
    if let Some(remaining_ms) = i.in_progress_remaining_ms {
        return MyCertState::InProgress { remaining_ms };
    }
    let passed = i.best_percent.is_some_and(|b| b >= i.threshold);
    let left = (i.max_attempts - i.attempts_used).max(0);
    if i.status != CertStatus::Open {
        return MyCertState::Closed {
            best: i.best_percent,
            passed,
        };
    }
    match i.best_percent {
        None if i.attempts_used == 0 && i.theory_read => MyCertState::TheoryRead,
        None if i.attempts_used == 0 && i.pages_read > 0 && i.pages > 0 => MyCertState::Reading {
            read: i.pages_read.min(i.pages),
            of: i.pages,
        },
        None if i.attempts_used == 0 => MyCertState::New,
        Some(100) => MyCertState::Finished {
            best: 100,
            passed: true,
        },
        best if left == 0 => MyCertState::Finished {
            best: best.unwrap_or(0),
            passed,
        },
        best if passed => MyCertState::Passed {
            best: best.unwrap_or(0),
            attempts_left: left,
        },
        best => MyCertState::NotPassed {
            best: best.unwrap_or(0),
            attempts_left: left,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> StateInput {
        StateInput {
            status: CertStatus::Open,
            theory_read: false,
            pages_read: 0,
            pages: 3,
            in_progress_remaining_ms: None,
            attempts_used: 0,
            max_attempts: 3,
            best_percent: None,
            threshold: 80,
        }
    }

    #[test]
    fn reading_status_survives_versions_unless_rereading_is_required() {
        assert!(!theory_is_read(None, &[(1, false)]));
        assert!(theory_is_read(Some(1), &[(1, false), (2, false)]));
        assert!(!theory_is_read(Some(1), &[(1, false), (2, true)]));
        assert!(theory_is_read(
            Some(2),
            &[(1, false), (2, true), (3, false)]
        ));
    }

    #[test]
    fn every_block_needs_its_reading_time() {
        assert!(all_blocks_read(10, &[10_000, 12_000]));
        assert!(!all_blocks_read(10, &[10_000, 9_999]));
        assert_eq!(still_to_read(10, &[4_000, 12_000]), vec![6_000, 0]);
        assert!(!all_blocks_read(0, &[]), "no blocks, nothing read");
        assert!(all_blocks_read(0, &[0]));
    }

    #[test]
    fn states_follow_progress() {
        assert_eq!(my_state(input()), MyCertState::New);
        assert_eq!(
            my_state(StateInput {
                pages_read: 2,
                ..input()
            }),
            MyCertState::Reading { read: 2, of: 3 }
        );
        assert_eq!(
            my_state(StateInput {
                theory_read: true,
                pages_read: 3,
                ..input()
            }),
            MyCertState::TheoryRead,
            "read in full is no longer 'reading'"
        );
        assert_eq!(
            my_state(StateInput {
                theory_read: true,
                ..input()
            }),
            MyCertState::TheoryRead
        );
        assert_eq!(
            my_state(StateInput {
                in_progress_remaining_ms: Some(5),
                attempts_used: 1,
                ..input()
            }),
            MyCertState::InProgress { remaining_ms: 5 }
        );
        assert_eq!(
            my_state(StateInput {
                attempts_used: 1,
                best_percent: Some(50),
                ..input()
            }),
            MyCertState::NotPassed {
                best: 50,
                attempts_left: 2
            }
        );
        assert_eq!(
            my_state(StateInput {
                attempts_used: 1,
                best_percent: Some(90),
                ..input()
            }),
            MyCertState::Passed {
                best: 90,
                attempts_left: 2
            }
        );
        assert_eq!(
            my_state(StateInput {
                attempts_used: 1,
                best_percent: Some(100),
                ..input()
            }),
            MyCertState::Finished {
                best: 100,
                passed: true
            }
        );
        assert_eq!(
            my_state(StateInput {
                attempts_used: 3,
                best_percent: Some(40),
                ..input()
            }),
            MyCertState::Finished {
                best: 40,
                passed: false
            }
        );
        assert_eq!(
            my_state(StateInput {
                status: CertStatus::Closed,
                ..input()
            }),
            MyCertState::Closed {
                best: None,
                passed: false
            }
        );
    }

    #[test]
    fn what_needs_action_comes_first() {
        let mut v = [
            MyCertState::Finished {
                best: 100,
                passed: true,
            },
            MyCertState::New,
            MyCertState::InProgress { remaining_ms: 1 },
            MyCertState::NotPassed {
                best: 10,
                attempts_left: 1,
            },
        ];
        v.sort_by_key(|s| s.urgency());
        assert_eq!(v[0], MyCertState::InProgress { remaining_ms: 1 });
        assert_eq!(
            v[3],
            MyCertState::Finished {
                best: 100,
                passed: true
            }
        );
    }
}
