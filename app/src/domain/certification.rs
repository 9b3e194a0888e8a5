//! Certifications: settings and their validation, the lifecycle (draft → scheduled/open →
//! closed), what is locked once a certification has opened, and theory versions.

use super::Timestamp;
use crate::error::FieldError;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    Draft,
    Scheduled,
    Open,
    Closed,
}

impl CertStatus {
    pub const ALL: [CertStatus; 4] = [
        CertStatus::Draft,
        CertStatus::Scheduled,
        CertStatus::Open,
        CertStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertStatus::Draft => "draft",
            CertStatus::Scheduled => "scheduled",
            CertStatus::Open => "open",
            CertStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            CertStatus::Draft => Msg::CertDraft,
            CertStatus::Scheduled => Msg::CertScheduled,
            CertStatus::Open => Msg::CertOpen,
            CertStatus::Closed => Msg::CertClosed,
        }
    }

    /// Once opened (and after closing), the rules of attempts are locked.
    pub fn has_opened(self) -> bool {
        matches!(self, CertStatus::Open | CertStatus::Closed)
    }
}

impl std::str::FromStr for CertStatus {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CertStatus::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl TryFrom<String> for CertStatus {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimerMode {
    /// Only time on the test screen counts (the default).
    PauseWhileAway,
    /// A fixed deadline: start + time limit.
    Continuous,
}

impl TimerMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerMode::PauseWhileAway => "pause_while_away",
            TimerMode::Continuous => "continuous",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            TimerMode::PauseWhileAway => Msg::TimerPause,
            TimerMode::Continuous => Msg::TimerContinuous,
        }
    }
}

impl std::str::FromStr for TimerMode {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [TimerMode::PauseWhileAway, TimerMode::Continuous]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl TryFrom<String> for TimerMode {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Everything about a certification that the settings form edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertSettings {
    pub title: String,
    /// Sanitised rich text.
    pub description: String,
    pub pass_threshold: i64,
    pub max_attempts: i64,
    pub time_limit_secs: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub timer_mode: TimerMode,
    pub min_read_secs: i64,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub points: i64,
    /// Draw this many questions at random from the set (all when `None`).
    pub draw_count: Option<i64>,
    /// Whether users may review their answers with explanations after an attempt.
    pub review_allowed: bool,
    pub opens_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// Pause mode: once the time away from the test (not counted by the clock) exceeds this,
    /// the attempt is finished with what was answered. Off when `None`.
    #[serde(default)]
    pub away_limit_secs: Option<i64>,
}

impl Default for CertSettings {
    fn default() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            pass_threshold: 80,
            max_attempts: 3,
            time_limit_secs: 20 * 60,
            timer_mode: TimerMode::PauseWhileAway,
            min_read_secs: 10,
            shuffle_questions: true,
            shuffle_options: true,
            points: 100,
            draw_count: None,
            review_allowed: true,
            opens_at: None,
            closes_at: None,
            away_limit_secs: None,
        }
    }
}

pub const TITLE_MAX: usize = 200;
pub const MAX_TIME_LIMIT_SECS: i64 = 24 * 3600;
/// The shortest time-away limit: a minute (a shorter one would end attempts on a phone call).
pub const MIN_AWAY_LIMIT_SECS: i64 = 60;
pub const MAX_READ_SECS: i64 = 3600;
pub const MAX_ATTEMPTS: i64 = 100;
pub const MAX_POINTS: i64 = 1_000_000;

fn field(field: &str, msg: Msg) -> FieldError {
    FieldError {
        field: field.to_owned(),
        msg,
    }
}

impl CertSettings {
    /// Every invalid field, with its message.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            e.push(field("title", Msg::ErrTitleEmpty));
        } else if title.chars().count() > TITLE_MAX || title.chars().any(char::is_control) {
            e.push(field("title", Msg::ErrTitleTooLong));
        }
        if !(1..=100).contains(&self.pass_threshold) {
            e.push(field("pass_threshold", Msg::ErrThreshold));
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.max_attempts) {
            e.push(field("max_attempts", Msg::ErrAttempts));
        }
        if !(1..=MAX_TIME_LIMIT_SECS).contains(&self.time_limit_secs) {
            e.push(field("time_limit", Msg::ErrTimeLimit));
        }
        if !(0..=MAX_READ_SECS).contains(&self.min_read_secs) {
            e.push(field("min_read_secs", Msg::ErrReadTime));
        }
        if !(0..=MAX_POINTS).contains(&self.points) {
            e.push(field("points", Msg::ErrPoints));
        }
        if self
            .away_limit_secs
            .is_some_and(|s| !(MIN_AWAY_LIMIT_SECS..=MAX_TIME_LIMIT_SECS).contains(&s))
        {
            e.push(field("away_limit", Msg::ErrAwayLimit));
        }
        if self.draw_count.is_some_and(|n| n < 1) {
            e.push(field("draw_count", Msg::ErrDrawCount));
        }
        if let (Some(open), Some(close)) = (self.opens_at, self.closes_at)
            && close <= open
        {
            e.push(field("closes_at", Msg::ErrCloseBeforeOpen));
        }
        e
    }

    /// The fields that differ from `other` among those locked once a certification has opened.
    /// Title, description and the close date stay editable: they do not change how an
    /// attempt is scored or timed.
    pub fn locked_differences(&self, other: &CertSettings) -> Vec<&'static str> {
        let mut d = Vec::new();
        if self.pass_threshold != other.pass_threshold {
            d.push("pass_threshold");
        }
        if self.max_attempts != other.max_attempts {
            d.push("max_attempts");
        }
        if self.time_limit_secs != other.time_limit_secs {
            d.push("time_limit");
        }
        if self.timer_mode != other.timer_mode {
            d.push("timer_mode");
        }
        if self.min_read_secs != other.min_read_secs {
            d.push("min_read_secs");
        }
        if self.shuffle_questions != other.shuffle_questions {
            d.push("shuffle_questions");
        }
        if self.shuffle_options != other.shuffle_options {
            d.push("shuffle_options");
        }
        if self.points != other.points {
            d.push("points");
        }
        if self.draw_count != other.draw_count {
            d.push("draw_count");
        }
        if self.review_allowed != other.review_allowed {
            d.push("review_allowed");
        }
        if self.opens_at != other.opens_at {
            d.push("opens_at");
        }
        if self.away_limit_secs != other.away_limit_secs {
            d.push("away_limit");
        }
        d
    }
}

/// Whether an update of the settings is allowed in this status; every refused field is named.
pub fn check_settings_update(
    status: CertStatus,
    current: &CertSettings,
    new: &CertSettings,
    now: Timestamp,
) -> Result<(), Vec<FieldError>> {
    let mut errors = new.validate();
    if status.has_opened() {
        errors.extend(
            new.locked_differences(current)
                .into_iter()
                .map(|f| field(f, Msg::ErrLockedAfterOpen)),
        );
        if new.closes_at != current.closes_at
            && let Some(close) = new.closes_at
            && close <= now
        {
            errors.push(field("closes_at", Msg::ErrCloseInPast));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A certification as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Certification {
    pub id: super::CertId,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub settings: CertSettings,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub status: CertStatus,
    pub theory_version: i64,
    pub opened_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Text,
    Image,
    Video,
    File,
}

impl BlockKind {
    pub const ALL: [BlockKind; 4] = [
        BlockKind::Text,
        BlockKind::Image,
        BlockKind::Video,
        BlockKind::File,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Text => "text",
            BlockKind::Image => "image",
            BlockKind::Video => "video",
            BlockKind::File => "file",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            BlockKind::Text => Msg::BlockText,
            BlockKind::Image => Msg::BlockImage,
            BlockKind::Video => Msg::BlockVideo,
            BlockKind::File => Msg::BlockFile,
        }
    }
}

impl std::str::FromStr for BlockKind {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BlockKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl TryFrom<String> for BlockKind {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A mandatory theory block: one page of the Mini App.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TheoryBlock {
    pub id: super::BlockId,
    pub position: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: BlockKind,
    pub title: String,
    /// Sanitised rich text of a text block (a caption for the others).
    pub body: String,
    /// Image, video or file address: an upload or an http(s) link.
    pub url: String,
}

/// The fields of a block the editor submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockInput {
    pub kind: BlockKind,
    pub title: String,
    pub body: String,
    pub url: String,
}

impl BlockInput {
    /// `body_is_empty`: whether the sanitised body has no visible content.
    pub fn validate(&self, body_is_empty: bool) -> Vec<FieldError> {
        let mut e = Vec::new();
        if self.title.chars().count() > TITLE_MAX || self.title.chars().any(char::is_control) {
            e.push(field("block_title", Msg::ErrTitleTooLong));
        }
        match self.kind {
            BlockKind::Text if body_is_empty => e.push(field("block_body", Msg::ErrBlockEmpty)),
            BlockKind::Text => {}
            _ if !super::question::is_safe_url(&self.url) => {
                e.push(field("block_url", Msg::ErrUrl))
            }
            _ => {}
        }
        e
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    File,
    Link,
}

impl MaterialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialKind::File => "file",
            MaterialKind::Link => "link",
        }
    }
}

impl TryFrom<String> for MaterialKind {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            "file" => Ok(MaterialKind::File),
            "link" => Ok(MaterialKind::Link),
            _ => Err(super::user::UnknownValue(s)),
        }
    }
}

/// An additional material, reachable from every theory page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Material {
    pub id: super::MaterialId,
    pub position: i64,
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: MaterialKind,
    pub title: String,
    pub url: String,
}

/// What the lifecycle needs to know about a certification's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Content {
    pub theory_blocks: usize,
    pub questions: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LifecycleAction {
    OpenNow,
    Schedule,
    Unschedule,
    Close,
}

/// The status after `action`, or why it is refused. Opening and scheduling need at least one
/// theory block and one question, valid settings and a draw no larger than the question set.
pub fn transition(
    status: CertStatus,
    action: LifecycleAction,
    settings: &CertSettings,
    content: Content,
    now: Timestamp,
) -> Result<CertStatus, Msg> {
    use CertStatus::*;
    use LifecycleAction::*;
    let ready = || -> Result<(), Msg> {
        if !settings.validate().is_empty() {
            return Err(Msg::ErrSettingsInvalid);
        }
        if content.theory_blocks == 0 {
            return Err(Msg::ErrNeedTheory);
        }
        if content.questions == 0 {
            return Err(Msg::ErrNeedQuestion);
        }
        if settings
            .draw_count
            .is_some_and(|n| n as usize > content.questions)
        {
            return Err(Msg::ErrDrawTooLarge);
        }
        if settings.closes_at.is_some_and(|c| c <= now) {
            return Err(Msg::ErrCloseInPast);
        }
        Ok(())
    };
    match (status, action) {
        (Draft | Scheduled, OpenNow) => ready().map(|()| Open),
        (Draft, Schedule) => {
            ready()?;
            match settings.opens_at {
                Some(at) if at > now => Ok(Scheduled),
                Some(_) => Err(Msg::ErrOpenInPast),
                None => Err(Msg::ErrNeedOpenDate),
            }
        }
        (Scheduled, Unschedule) => Ok(Draft),
        (Open | Scheduled, Close) => Ok(Closed),
        _ => Err(Msg::ErrTransition),
    }
}

/// Whether a closed certification may open again, closing at `closes_at` (a date is required:
/// the old one has usually passed, and the scheduler would close it again at once).
pub fn may_reopen(
    status: CertStatus,
    closes_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<Timestamp, Msg> {
    if status != CertStatus::Closed {
        return Err(Msg::ErrTransition);
    }
    match closes_at {
        None => Err(Msg::ErrNeedCloseDate),
        Some(c) if c <= now => Err(Msg::ErrCloseInPast),
        Some(c) => Ok(c),
    }
}

/// What the scheduler must do with a certification now, if anything: open a scheduled one
/// whose time has come, close an open one whose close date has passed.
pub fn due_transition(
    status: CertStatus,
    opens_at: Option<Timestamp>,
    closes_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<CertStatus> {
    match status {
        CertStatus::Scheduled if closes_at.is_some_and(|c| c <= now) => Some(CertStatus::Closed),
        CertStatus::Scheduled if opens_at.is_some_and(|o| o <= now) => Some(CertStatus::Open),
        CertStatus::Open if closes_at.is_some_and(|c| c <= now) => Some(CertStatus::Closed),
        _ => None,
    }
}

/// Editing theory in a draft changes it in place; once the certification is scheduled or open,
/// every edit makes a new theory version and earlier versions are kept.
pub fn theory_edit_makes_new_version(status: CertStatus) -> bool {
    status != CertStatus::Draft
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_closed_certification_reopens_and_it_needs_a_future_close_date() {
        let now = Timestamp(1_000_000);
        let later = Timestamp(2_000_000);
        assert_eq!(may_reopen(CertStatus::Closed, Some(later), now), Ok(later));
        assert_eq!(
            may_reopen(CertStatus::Closed, None, now),
            Err(Msg::ErrNeedCloseDate)
        );
        assert_eq!(
            may_reopen(CertStatus::Closed, Some(now), now),
            Err(Msg::ErrCloseInPast)
        );
        assert_eq!(
            may_reopen(CertStatus::Open, Some(later), now),
            Err(Msg::ErrTransition)
        );
    }

    const NOW: Timestamp = Timestamp(1_800_000_000_000);
    const READY: Content = Content {
        theory_blocks: 3,
        questions: 10,
    };

    fn valid() -> CertSettings {
        CertSettings {
            title: "Охрана труда".into(),
            ..CertSettings::default()
        }
    }

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<(String, Msg)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.msg))
            .collect()
    }

    #[test]
    fn settings_are_validated_with_field_messages() {
        assert!(valid().validate().is_empty());
        let bad = CertSettings {
            title: "  ".into(),
            pass_threshold: 0,
            max_attempts: 0,
            time_limit_secs: 0,
            opens_at: Some(NOW),
            closes_at: Some(NOW),
            ..valid()
        };
        let f: Vec<_> = bad.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            f,
            vec![
                "title",
                "pass_threshold",
                "max_attempts",
                "time_limit",
                "closes_at"
            ]
        );
        assert!(
            CertSettings {
                pass_threshold: 101,
                ..valid()
            }
            .validate()
            .len()
                == 1
        );
        assert!(
            CertSettings {
                pass_threshold: 100,
                ..valid()
            }
            .validate()
            .is_empty()
        );
    }

    #[test]
    fn rules_are_locked_once_open_but_title_and_close_date_are_not() {
        let current = valid();
        let changed = CertSettings {
            pass_threshold: 90,
            points: 5,
            title: "Новое название".into(),
            ..valid()
        };
        assert_eq!(
            check_settings_update(CertStatus::Draft, &current, &changed, NOW),
            Ok(())
        );
        assert_eq!(
            check_settings_update(CertStatus::Scheduled, &current, &changed, NOW),
            Ok(())
        );
        assert_eq!(
            fields(check_settings_update(
                CertStatus::Open,
                &current,
                &changed,
                NOW
            )),
            vec![
                ("pass_threshold".into(), Msg::ErrLockedAfterOpen),
                ("points".into(), Msg::ErrLockedAfterOpen)
            ]
        );
        assert!(check_settings_update(CertStatus::Closed, &current, &changed, NOW).is_err());
        let later_close = CertSettings {
            closes_at: Some(NOW.plus_secs(3600)),
            title: "x".into(),
            ..valid()
        };
        assert_eq!(
            check_settings_update(CertStatus::Open, &current, &later_close, NOW),
            Ok(())
        );
        let past_close = CertSettings {
            closes_at: Some(NOW.minus_secs(1)),
            ..valid()
        };
        assert_eq!(
            fields(check_settings_update(
                CertStatus::Open,
                &current,
                &past_close,
                NOW
            )),
            vec![("closes_at".into(), Msg::ErrCloseInPast)]
        );
    }

    #[test]
    fn every_locked_field_is_detected() {
        let base = valid();
        let variants = [
            CertSettings {
                max_attempts: 9,
                ..valid()
            },
            CertSettings {
                time_limit_secs: 9,
                ..valid()
            },
            CertSettings {
                timer_mode: TimerMode::Continuous,
                ..valid()
            },
            CertSettings {
                min_read_secs: 99,
                ..valid()
            },
            CertSettings {
                shuffle_questions: false,
                ..valid()
            },
            CertSettings {
                shuffle_options: false,
                ..valid()
            },
            CertSettings {
                draw_count: Some(2),
                ..valid()
            },
            CertSettings {
                review_allowed: false,
                ..valid()
            },
        ];
        for v in variants {
            assert_eq!(v.locked_differences(&base).len(), 1, "{v:?}");
        }
    }

    #[test]
    fn opening_needs_theory_questions_and_a_fitting_draw() {
        let s = valid();
        assert_eq!(
            transition(CertStatus::Draft, LifecycleAction::OpenNow, &s, READY, NOW),
            Ok(CertStatus::Open)
        );
        let no_theory = Content {
            theory_blocks: 0,
            ..READY
        };
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::OpenNow,
                &s,
                no_theory,
                NOW
            ),
            Err(Msg::ErrNeedTheory)
        );
        let no_questions = Content {
            questions: 0,
            ..READY
        };
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::OpenNow,
                &s,
                no_questions,
                NOW
            ),
            Err(Msg::ErrNeedQuestion)
        );
        let draw = CertSettings {
            draw_count: Some(11),
            ..valid()
        };
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::OpenNow,
                &draw,
                READY,
                NOW
            ),
            Err(Msg::ErrDrawTooLarge)
        );
    }

    #[test]
    fn scheduling_needs_a_future_open_date() {
        let none = valid();
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::Schedule,
                &none,
                READY,
                NOW
            ),
            Err(Msg::ErrNeedOpenDate)
        );
        let past = CertSettings {
            opens_at: Some(NOW.minus_secs(1)),
            ..valid()
        };
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::Schedule,
                &past,
                READY,
                NOW
            ),
            Err(Msg::ErrOpenInPast)
        );
        let future = CertSettings {
            opens_at: Some(NOW.plus_secs(60)),
            ..valid()
        };
        assert_eq!(
            transition(
                CertStatus::Draft,
                LifecycleAction::Schedule,
                &future,
                READY,
                NOW
            ),
            Ok(CertStatus::Scheduled)
        );
        assert_eq!(
            transition(
                CertStatus::Scheduled,
                LifecycleAction::Unschedule,
                &future,
                READY,
                NOW
            ),
            Ok(CertStatus::Draft)
        );
    }

    #[test]
    fn closed_is_final_and_drafts_cannot_be_closed() {
        let s = valid();
        for action in [
            LifecycleAction::OpenNow,
            LifecycleAction::Schedule,
            LifecycleAction::Close,
        ] {
            assert_eq!(
                transition(CertStatus::Closed, action, &s, READY, NOW),
                Err(Msg::ErrTransition)
            );
        }
        assert_eq!(
            transition(CertStatus::Draft, LifecycleAction::Close, &s, READY, NOW),
            Err(Msg::ErrTransition)
        );
        assert_eq!(
            transition(CertStatus::Open, LifecycleAction::Close, &s, READY, NOW),
            Ok(CertStatus::Closed)
        );
    }

    #[test]
    fn the_scheduler_opens_and_closes_on_time() {
        let at = Some(NOW);
        assert_eq!(
            due_transition(CertStatus::Scheduled, at, None, NOW.minus_secs(1)),
            None
        );
        assert_eq!(
            due_transition(CertStatus::Scheduled, at, None, NOW),
            Some(CertStatus::Open)
        );
        assert_eq!(
            due_transition(CertStatus::Open, at, Some(NOW.plus_secs(5)), NOW),
            None
        );
        assert_eq!(
            due_transition(
                CertStatus::Open,
                at,
                Some(NOW.plus_secs(5)),
                NOW.plus_secs(5)
            ),
            Some(CertStatus::Closed)
        );
        assert_eq!(
            due_transition(CertStatus::Scheduled, at, Some(NOW), NOW.plus_secs(1)),
            Some(CertStatus::Closed),
            "a schedule whose window has passed entirely closes"
        );
        assert_eq!(due_transition(CertStatus::Draft, at, None, NOW), None);
    }

    #[test]
    fn theory_edits_after_scheduling_make_versions() {
        assert!(!theory_edit_makes_new_version(CertStatus::Draft));
        assert!(theory_edit_makes_new_version(CertStatus::Scheduled));
        assert!(theory_edit_makes_new_version(CertStatus::Open));
    }
}
