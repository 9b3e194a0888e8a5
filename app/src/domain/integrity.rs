//! The integrity record of an attempt: what happened during it, in order, as the server saw
//! it, and the flags an admin should look at. Plain functions of the stored events.
//!
//! The thresholds are named here once (and in `docs/DECISIONS.md`).

use super::Timestamp;
use serde::{Deserialize, Serialize};

/// Leaving the test this many times flags the attempt.
pub const FLAG_LEAVES: i64 = 3;
/// Time away (in total) from which the attempt is flagged: five minutes.
pub const FLAG_AWAY_MS: i64 = 5 * 60_000;
/// "All questions revealed within a few seconds": every question first shown within this much
/// time per question (at least three questions), faster than anyone reads them.
pub const FLAG_REVEAL_MS_PER_QUESTION: i64 = 2_000;
/// A scan needs at least this many questions to mean anything.
pub const FLAG_REVEAL_MIN_QUESTIONS: usize = 3;

/// One thing that happened during an attempt, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct AttemptEvent {
    pub at: Timestamp,
    /// `started`, `shown`, `answer`, `left` or `returned`.
    pub kind: String,
    pub question_index: Option<i64>,
    /// For `returned`: how long the user was away.
    pub away_ms: Option<i64>,
    /// A short label of the Mini App session that sent the request (a device).
    pub session: Option<String>,
}

/// A line of the timeline an admin reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub what: TimelineWhat,
    /// Question number (1-based), for question events.
    pub question: Option<i64>,
    /// For a return: the time away.
    pub away_ms: Option<i64>,
    /// Device number (1-based, in order of first appearance).
    pub device: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimelineWhat {
    Started,
    Shown,
    Answered,
    Changed,
    Left,
    Returned,
    Finished,
}

/// A reason to look at an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Left the test [`FLAG_LEAVES`] times or more.
    LeftOften,
    /// Away [`FLAG_AWAY_MS`] or more in total.
    AwayLong,
    /// Answered, after coming back, a question first shown before leaving.
    AnsweredAfterReturn,
    /// Every question revealed within a few seconds.
    RevealedAllFast,
    /// Answers came from two devices (sessions) or more.
    TwoDevices,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::LeftOften => "left_often",
            Flag::AwayLong => "away_long",
            Flag::AnsweredAfterReturn => "answered_after_return",
            Flag::RevealedAllFast => "revealed_all_fast",
            Flag::TwoDevices => "two_devices",
        }
    }
}

/// What the record says of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Integrity {
    pub leaves: i64,
    pub away_ms: i64,
    pub devices: i64,
    pub flags: Vec<Flag>,
    pub timeline: Vec<TimelineEntry>,
}

/// Reads the record. `questions`: how many the attempt asks; `end`: when it finished, or now
/// for a running attempt (a time away still going on counts up to it).
pub fn assess(
    events: &[AttemptEvent],
    questions: usize,
    end: Timestamp,
    finished: bool,
) -> Integrity {
    let mut devices: Vec<&str> = Vec::new();
    let mut answered: Vec<bool> = vec![false; questions];
    let mut first_shown: Vec<Option<Timestamp>> = vec![None; questions];
    let mut timeline = Vec::with_capacity(events.len() + 1);
    let mut leaves = 0;
    let mut away_ms = 0;
    let mut open_leave: Option<Timestamp> = None;
    // The times away, as (left, back), for "answered after returning".
    let mut aways: Vec<(Timestamp, Timestamp)> = Vec::new();
    let mut answer_sessions: Vec<&str> = Vec::new();
    let mut after_return = false;
    for e in events {
        let device = e.session.as_deref().map(|s| {
            let n = devices.iter().position(|d| *d == s).unwrap_or_else(|| {
                devices.push(s);
                devices.len() - 1
            });
            n as i64 + 1
        });
        let slot = e
            .question_index
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < questions);
        let what = match e.kind.as_str() {
            "started" => TimelineWhat::Started,
            "shown" => {
                if let Some(i) = slot {
                    first_shown[i].get_or_insert(e.at);
                }
                TimelineWhat::Shown
            }
            "answer" => {
                if let Some(s) = e.session.as_deref()
                    && !answer_sessions.contains(&s)
                {
                    answer_sessions.push(s);
                }
                let Some(i) = slot else { continue };
                if let Some(shown) = first_shown[i]
                    && aways
                        .iter()
                        .any(|(left, back)| shown <= *left && *back <= e.at)
                {
                    after_return = true;
                }
                if std::mem::replace(&mut answered[i], true) {
                    TimelineWhat::Changed
                } else {
                    TimelineWhat::Answered
                }
            }
            "left" => {
                if open_leave.is_none() {
                    open_leave = Some(e.at);
                    leaves += 1;
                }
                TimelineWhat::Left
            }
            "returned" => {
                let ms = e.away_ms.unwrap_or(0).max(0);
                match open_leave.take() {
                    Some(_) => {}
                    // Gone without a beacon (the app was killed, the connection lost).
                    None if ms > 0 => leaves += 1,
                    None => {}
                }
                if ms > 0 {
                    away_ms += ms;
                    aways.push((Timestamp(e.at.millis() - ms), e.at));
                }
                TimelineWhat::Returned
            }
            _ => continue,
        };
        timeline.push(TimelineEntry {
            at: e.at,
            what,
            question: slot.map(|i| i as i64 + 1),
            away_ms: e.away_ms.filter(|_| what == TimelineWhat::Returned),
            device,
        });
    }
    if let Some(left) = open_leave {
        // Still away, or finished while away.
        away_ms += (end.millis() - left.millis()).max(0);
    }
    if finished {
        timeline.push(TimelineEntry {
            at: end,
            what: TimelineWhat::Finished,
            question: None,
            away_ms: None,
            device: None,
        });
    }
    let mut flags = Vec::new();
    if leaves >= FLAG_LEAVES {
        flags.push(Flag::LeftOften);
    }
    if away_ms >= FLAG_AWAY_MS {
        flags.push(Flag::AwayLong);
    }
    if after_return {
        flags.push(Flag::AnsweredAfterReturn);
    }
    if questions >= FLAG_REVEAL_MIN_QUESTIONS
        && let Some(all) = first_shown.iter().copied().collect::<Option<Vec<_>>>()
    {
        let first = all.iter().map(|t| t.millis()).min().unwrap_or(0);
        let last = all.iter().map(|t| t.millis()).max().unwrap_or(0);
        if last - first < FLAG_REVEAL_MS_PER_QUESTION * (questions as i64 - 1) {
            flags.push(Flag::RevealedAllFast);
        }
    }
    if answer_sessions.len() > 1 {
        flags.push(Flag::TwoDevices);
    }
    Integrity {
        leaves,
        away_ms,
        devices: devices.len() as i64,
        flags,
        timeline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(at: i64, kind: &str, q: Option<i64>, away: Option<i64>, s: &str) -> AttemptEvent {
        AttemptEvent {
            at: Timestamp(at),
            kind: kind.into(),
            question_index: q,
            away_ms: away,
            session: Some(s.into()),
        }
    }

    #[test]
    fn a_calm_attempt_has_no_flags() {
        let events = [
            ev(0, "started", None, None, "a"),
            ev(0, "shown", Some(0), None, "a"),
            ev(20_000, "answer", Some(0), None, "a"),
            ev(21_000, "shown", Some(1), None, "a"),
            ev(40_000, "answer", Some(1), None, "a"),
            ev(41_000, "shown", Some(2), None, "a"),
            ev(60_000, "answer", Some(2), None, "a"),
            ev(61_000, "answer", Some(2), None, "a"),
        ];
        let i = assess(&events, 3, Timestamp(70_000), true);
        assert!(i.flags.is_empty(), "{:?}", i.flags);
        assert_eq!((i.leaves, i.away_ms, i.devices), (0, 0, 1));
        let whats: Vec<_> = i.timeline.iter().map(|t| t.what).collect();
        assert_eq!(whats[6], TimelineWhat::Answered);
        assert_eq!(whats[7], TimelineWhat::Changed);
        assert_eq!(*whats.last().unwrap(), TimelineWhat::Finished);
    }

    #[test]
    fn leaving_and_answering_a_question_seen_before_is_flagged() {
        let events = [
            ev(0, "started", None, None, "a"),
            ev(0, "shown", Some(0), None, "a"),
            ev(5_000, "left", None, None, "a"),
            ev(7_205_000, "returned", None, Some(7_200_000), "a"),
            ev(7_210_000, "answer", Some(0), None, "a"),
        ];
        let i = assess(&events, 2, Timestamp(7_300_000), true);
        assert_eq!(i.leaves, 1);
        assert_eq!(i.away_ms, 7_200_000);
        assert!(i.flags.contains(&Flag::AwayLong));
        assert!(i.flags.contains(&Flag::AnsweredAfterReturn));
        let back = i
            .timeline
            .iter()
            .find(|t| t.what == TimelineWhat::Returned)
            .unwrap();
        assert_eq!(back.away_ms, Some(7_200_000));
    }

    #[test]
    fn a_question_first_shown_after_the_return_is_not_flagged() {
        let events = [
            ev(0, "shown", Some(0), None, "a"),
            ev(5_000, "left", None, None, "a"),
            ev(65_000, "returned", None, Some(60_000), "a"),
            ev(70_000, "shown", Some(1), None, "a"),
            ev(90_000, "answer", Some(1), None, "a"),
        ];
        let i = assess(&events, 2, Timestamp(100_000), true);
        assert!(!i.flags.contains(&Flag::AnsweredAfterReturn));
        assert!(!i.flags.contains(&Flag::AwayLong));
    }

    #[test]
    fn scanning_every_question_and_two_devices_and_frequent_leaves_are_flagged() {
        let mut events = vec![
            ev(0, "shown", Some(0), None, "a"),
            ev(500, "shown", Some(1), None, "a"),
            ev(900, "shown", Some(2), None, "a"),
            ev(2_000, "answer", Some(0), None, "a"),
            ev(3_000, "answer", Some(1), None, "b"),
        ];
        for k in 0..3 {
            let t = 10_000 + k * 10_000;
            // Gone without a beacon: only the return says so.
            events.push(ev(t, "returned", None, Some(1_000), "a"));
        }
        let i = assess(&events, 3, Timestamp(50_000), false);
        assert_eq!(i.leaves, 3);
        assert_eq!(i.devices, 2);
        for f in [Flag::RevealedAllFast, Flag::TwoDevices, Flag::LeftOften] {
            assert!(i.flags.contains(&f), "{f:?} in {:?}", i.flags);
        }
    }

    #[test]
    fn a_time_away_still_going_on_counts_up_to_the_end() {
        let events = [
            ev(0, "shown", Some(0), None, "a"),
            ev(1_000, "left", None, None, "a"),
        ];
        let i = assess(&events, 1, Timestamp(601_000), true);
        assert_eq!((i.leaves, i.away_ms), (1, 600_000));
        assert!(i.flags.contains(&Flag::AwayLong));
    }
}
