//! Notifications in the bot: their kinds, the settings that govern them, quiet hours, when a
//! reminder or a nudge is due, and when results become a digest. Plain rules; the consumer of
//! domain events and the scheduler apply them, the Telegram delivery module sends.

use super::Timestamp;
use super::certification::TimerMode;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// To an employee: a badge was awarded.
    Badge,
    /// To an employee: a new level.
    Level,
    /// To an employee: an assignment reached them while the certification is open.
    Assigned,
    /// To an employee: a certification assigned to them has opened.
    Opened,
    /// To an employee: an assigned certification closes within a day and is not passed.
    Reminder,
    /// To an employee: an attempt was left in progress with time remaining.
    Nudge,
    /// To managers and admins: a person passed or failed a certification.
    TeamResult,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::Badge,
        NotificationKind::Level,
        NotificationKind::Assigned,
        NotificationKind::Opened,
        NotificationKind::Reminder,
        NotificationKind::Nudge,
        NotificationKind::TeamResult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Badge => "badge",
            NotificationKind::Level => "level",
            NotificationKind::Assigned => "assigned",
            NotificationKind::Opened => "opened",
            NotificationKind::Reminder => "reminder",
            NotificationKind::Nudge => "nudge",
            NotificationKind::TeamResult => "team_result",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            NotificationKind::Badge => Msg::NotifKindBadge,
            NotificationKind::Level => Msg::NotifKindLevel,
            NotificationKind::Assigned => Msg::NotifKindAssigned,
            NotificationKind::Opened => Msg::NotifKindOpened,
            NotificationKind::Reminder => Msg::NotifKindReminder,
            NotificationKind::Nudge => Msg::NotifKindNudge,
            NotificationKind::TeamResult => Msg::NotifKindTeamResult,
        }
    }

    /// What such a message says, as an example beside the choice.
    pub fn example(self) -> Msg {
        match self {
            NotificationKind::Badge => Msg::NotifExampleBadge,
            NotificationKind::Level => Msg::NotifExampleLevel,
            NotificationKind::Assigned => Msg::NotifExampleAssigned,
            NotificationKind::Opened => Msg::NotifExampleOpened,
            NotificationKind::Reminder => Msg::NotifExampleReminder,
            NotificationKind::Nudge => Msg::NotifExampleNudge,
            NotificationKind::TeamResult => Msg::NotifExampleTeamResult,
        }
    }

    /// Kinds for managers and admins; the rest go to employees.
    pub fn for_managers(self) -> bool {
        self == NotificationKind::TeamResult
    }

    /// Reminders and nudges wait for the end of quiet hours; results and the rest never do.
    pub fn respects_quiet_hours(self) -> bool {
        matches!(self, NotificationKind::Reminder | NotificationKind::Nudge)
    }
}

impl std::str::FromStr for NotificationKind {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

/// Quiet hours in the display time zone, as minutes after midnight; `start > end` spans
/// midnight (22:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start_min: u16,
    pub end_min: u16,
}

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start_min: 22 * 60,
            end_min: 8 * 60,
        }
    }
}

impl QuietHours {
    pub fn is_valid(self) -> bool {
        self.start_min < 24 * 60 && self.end_min < 24 * 60 && self.start_min != self.end_min
    }

    fn contains(self, minute: u16) -> bool {
        if self.start_min < self.end_min {
            (self.start_min..self.end_min).contains(&minute)
        } else {
            minute >= self.start_min || minute < self.end_min
        }
    }

    /// When a message that respects quiet hours may go out: `now`, or the end of the quiet
    /// hours `now` falls in.
    pub fn next_allowed(self, now: Timestamp, utc_offset_minutes: i32) -> Timestamp {
        let local_ms = now.millis() + i64::from(utc_offset_minutes) * 60_000;
        let day_ms = 86_400_000;
        let minute = (local_ms.rem_euclid(day_ms) / 60_000) as u16;
        if !self.contains(minute) {
            return now;
        }
        let midnight = local_ms - local_ms.rem_euclid(day_ms);
        let mut end = midnight + i64::from(self.end_min) * 60_000;
        if end <= local_ms {
            end += day_ms;
        }
        Timestamp(end - i64::from(utc_offset_minutes) * 60_000)
    }
}

/// The notification settings of the company (settings module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    /// Kinds that are sent at all (each person may mute more).
    pub enabled: Vec<NotificationKind>,
    /// Messages per second to Telegram across all chats.
    pub rate_per_sec: u32,
    pub quiet_hours: Option<QuietHours>,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            enabled: NotificationKind::ALL.to_vec(),
            rate_per_sec: 25,
            quiet_hours: Some(QuietHours::default()),
        }
    }
}

pub const MAX_RATE_PER_SEC: u32 = 30;

impl NotificationSettings {
    pub fn is_enabled(&self, kind: NotificationKind) -> bool {
        self.enabled.contains(&kind)
    }

    pub fn validate(&self) -> Vec<crate::error::FieldError> {
        let mut errors = Vec::new();
        if !(1..=MAX_RATE_PER_SEC).contains(&self.rate_per_sec) {
            errors.push(crate::error::FieldError {
                field: "rate_per_sec".into(),
                msg: Msg::ErrNotifRate,
            });
        }
        if self.quiet_hours.is_some_and(|q| !q.is_valid()) {
            errors.push(crate::error::FieldError {
                field: "quiet_hours".into(),
                msg: Msg::ErrQuietHours,
            });
        }
        errors
    }
}

/// A reminder is due from a day before the close, if the person was told about the
/// certification at least a day before the close (an assignment that came later gets none).
pub const REMINDER_BEFORE_MS: i64 = 24 * 3600 * 1000;

/// When to send the reminder of a certification closing at `closes_at` to a person who was
/// told about it at `told_at`: `None` when no reminder is due (told too late, or the quiet
/// hours would push it past the close).
pub fn reminder_at(
    closes_at: Timestamp,
    told_at: Timestamp,
    now: Timestamp,
    quiet: Option<QuietHours>,
    utc_offset_minutes: i32,
) -> Option<Timestamp> {
    let from = Timestamp(closes_at.millis() - REMINDER_BEFORE_MS);
    if told_at > from || now < from || now >= closes_at {
        return None;
    }
    let at = quiet.map_or(now, |q| q.next_allowed(now, utc_offset_minutes));
    (at < closes_at).then_some(at)
}

/// A pause-mode attempt left this long with time remaining gets a nudge.
pub const NUDGE_AWAY_MS: i64 = 10 * 60 * 1000;
/// A continuous-mode attempt whose person is away gets a nudge this long before its deadline.
pub const NUDGE_BEFORE_DEADLINE_MS: i64 = 5 * 60 * 1000;

/// Whether an attempt in progress deserves a nudge now. `away_since` is when the person was
/// last on the test screen (`None`: on it now); `remaining_ms` the time left as the server
/// counts it.
pub fn nudge_due(
    mode: TimerMode,
    away_since: Option<Timestamp>,
    remaining_ms: i64,
    now: Timestamp,
) -> bool {
    let Some(away) = away_since else {
        return false;
    };
    if remaining_ms <= 0 {
        return false;
    }
    match mode {
        TimerMode::PauseWhileAway => now.millis() - away.millis() >= NUDGE_AWAY_MS,
        TimerMode::Continuous => remaining_ms <= NUDGE_BEFORE_DEADLINE_MS,
    }
}

/// More results than this waiting for one recipient go out as one digest: at one message a
/// second per chat, a big exam would otherwise take hours to report.
pub const DIGEST_OVER: usize = 10;

/// What a digest says: how many passed and how many did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DigestCounts {
    pub passed: usize,
    pub failed: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2030-01-01 00:00 UTC.
    const MIDNIGHT_UTC: i64 = 1_893_456_000_000;
    const MSK: i32 = 180;

    fn msk(h: i64, m: i64) -> Timestamp {
        // Local Moscow time on 2030-01-01.
        Timestamp(MIDNIGHT_UTC + (h * 60 + m - i64::from(MSK)) * 60_000)
    }

    #[test]
    fn quiet_hours_move_messages_to_the_morning() {
        let q = QuietHours::default();
        assert_eq!(q.next_allowed(msk(12, 0), MSK), msk(12, 0));
        assert_eq!(q.next_allowed(msk(23, 30), MSK), msk(24 + 8, 0));
        assert_eq!(q.next_allowed(msk(3, 0), MSK), msk(8, 0));
        assert_eq!(q.next_allowed(msk(8, 0), MSK), msk(8, 0));
        let day = QuietHours {
            start_min: 13 * 60,
            end_min: 14 * 60,
        };
        assert_eq!(day.next_allowed(msk(13, 10), MSK), msk(14, 0));
        assert!(
            !QuietHours {
                start_min: 60,
                end_min: 60
            }
            .is_valid()
        );
    }

    #[test]
    fn a_reminder_comes_a_day_before_the_close_unless_told_late_or_pushed_past_it() {
        let closes = msk(24 + 12, 0);
        let told = msk(0, 0).minus_secs(3 * 86_400);
        // A day before the close, in the daytime: now.
        assert_eq!(
            reminder_at(closes, told, msk(12, 0), Some(QuietHours::default()), MSK),
            Some(msk(12, 0))
        );
        // Not yet a day before.
        assert_eq!(reminder_at(closes, told, msk(11, 0), None, MSK), None);
        // Told less than a day before the close: no reminder.
        assert_eq!(reminder_at(closes, msk(13, 0), msk(14, 0), None, MSK), None);
        // At night: in the morning, still before the close.
        assert_eq!(
            reminder_at(closes, told, msk(23, 0), Some(QuietHours::default()), MSK),
            Some(msk(24 + 8, 0))
        );
        // Closing at 07:00: the quiet hours would push it past the close.
        let early = msk(24 + 7, 0);
        assert_eq!(
            reminder_at(early, told, msk(23, 0), Some(QuietHours::default()), MSK),
            None
        );
        assert_eq!(reminder_at(closes, told, closes, None, MSK), None);
    }

    #[test]
    fn nudges_come_after_ten_minutes_away_or_five_before_a_deadline() {
        let now = msk(12, 0);
        let p = TimerMode::PauseWhileAway;
        assert!(!nudge_due(p, Some(now.minus_secs(9 * 60)), 60_000, now));
        assert!(nudge_due(p, Some(now.minus_secs(10 * 60)), 60_000, now));
        assert!(!nudge_due(p, None, 60_000, now), "on the screen now");
        assert!(
            !nudge_due(p, Some(now.minus_secs(3600)), 0, now),
            "no time left"
        );
        let c = TimerMode::Continuous;
        assert!(!nudge_due(c, Some(now.minus_secs(60)), 6 * 60_000, now));
        assert!(nudge_due(c, Some(now.minus_secs(60)), 5 * 60_000, now));
    }

    #[test]
    fn settings_are_validated() {
        assert!(NotificationSettings::default().validate().is_empty());
        let bad = NotificationSettings {
            rate_per_sec: 0,
            ..NotificationSettings::default()
        };
        assert_eq!(bad.validate().len(), 1);
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>(), Ok(k));
        }
    }
}
