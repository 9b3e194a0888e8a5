//! The types of `crate::taking`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::attempt::QuestionView;
use crate::domain::certification::{Material, TheoryBlock, TimerMode};
use crate::domain::integrity::{Flag, Integrity};
use crate::domain::progress::MyCertState;
use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// One person's standing in one certification (the API's per-person results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct PersonResult {
    pub certification_id: CertId,
    pub title: String,
    /// Theory version last read, if any.
    pub read_version: Option<i64>,
    pub attempts_used: i64,
    pub max_attempts: i64,
    pub best_percent: Option<i64>,
    pub passed_at: Option<Timestamp>,
    pub resets: i64,
    /// The newest attempt, for its integrity record.
    pub last_attempt_id: Option<AttemptId>,
}

/// The integrity flags of a finished attempt (empty while it runs, or when nothing stood out).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Flags(pub Vec<Flag>);

/// Stored as a JSON list of names (`NULL`: none).
#[cfg(feature = "ssr")]
impl From<Option<String>> for Flags {
    fn from(s: Option<String>) -> Self {
        Flags(
            s.and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
        )
    }
}

/// A finished or running attempt, for history lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct AttemptSummary {
    pub id: AttemptId,
    pub number: i64,
    pub status: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub finish_reason: Option<String>,
    pub used_ms: i64,
    pub percent: Option<i64>,
    pub passed: Option<bool>,
    pub reset_at: Option<Timestamp>,
    /// Admins and the API only: what the integrity record flags (see `domain::integrity`).
    #[cfg_attr(feature = "ssr", sqlx(try_from = "Option<String>"))]
    #[serde(default)]
    pub flags: Flags,
}

/// An attempt's integrity record as an admin reads it: the timeline and its flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttemptRecord {
    pub attempt: AttemptSummary,
    pub user_id: UserId,
    pub name: String,
    pub certification_id: CertId,
    pub title: String,
    pub mode: TimerMode,
    pub questions: i64,
    pub integrity: Integrity,
    /// The person's attempts at this certification, newest first.
    pub attempts: Vec<AttemptSummary>,
}

/// One row of a certification's results: a person reached by the assignment and their progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct ResultRow {
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub read_version: Option<i64>,
    pub attempts_used: Option<i64>,
    pub best_percent: Option<i64>,
    pub passed_at: Option<Timestamp>,
    pub resets: Option<i64>,
    pub in_progress: i64,
    /// The newest attempt, for its integrity record.
    pub last_attempt_id: Option<AttemptId>,
    /// How many of the person's attempts the integrity record flags.
    pub flagged: i64,
    pub branch_id: Option<crate::domain::BranchId>,
    pub branch: Option<String>,
    pub position_id: Option<crate::domain::PositionId>,
    pub position: Option<String>,
    /// The certification's assignment reaches them (else they only have progress in it).
    pub assigned: bool,
}

/// How the results of a certification are narrowed (the page, its export and its bulk
/// actions read the same filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsFilter {
    /// Part of the name, any case.
    pub search: Option<String>,
    pub branch: Option<crate::domain::BranchId>,
    pub position: Option<crate::domain::PositionId>,
    pub state: Option<crate::domain::compliance::CellKind>,
    /// Only people with an attempt the integrity record flags.
    pub flagged: bool,
}

/// What the results table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsSort {
    #[default]
    Name,
    Branch,
    Position,
    State,
    Attempts,
    Best,
    PassedAt,
}

impl ResultsSort {
    pub const ALL: [ResultsSort; 7] = [
        ResultsSort::Name,
        ResultsSort::Branch,
        ResultsSort::Position,
        ResultsSort::State,
        ResultsSort::Attempts,
        ResultsSort::Best,
        ResultsSort::PassedAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResultsSort::Name => "name",
            ResultsSort::Branch => "branch",
            ResultsSort::Position => "position",
            ResultsSort::State => "state",
            ResultsSort::Attempts => "attempts",
            ResultsSort::Best => "best",
            ResultsSort::PassedAt => "passed_at",
        }
    }

    pub fn parse(s: &str) -> Option<ResultsSort> {
        ResultsSort::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One person on a certification's results page: their row and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultLine {
    #[serde(flatten)]
    pub row: ResultRow,
    pub state: crate::domain::compliance::Cell,
    /// One more attempt may be given.
    pub may_grant: bool,
    /// A full review with the right answers was open to them (the reset warns).
    pub full_review: bool,
}

impl ResultRow {
    /// "Surname Name", as people lists show and sort them.
    pub fn name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
            .trim()
            .to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCert {
    pub id: CertId,
    pub title: String,
    pub state: MyCertState,
    pub closes_at: Option<Timestamp>,
    pub time_limit_secs: i64,
    pub rules: CertRules,
}

/// The rules of a certification as the person taking it should know them before starting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertRules {
    pub closes_at: Option<Timestamp>,
    pub time_limit_secs: i64,
    pub timer_mode: TimerMode,
    /// Pause mode: the most time away before the attempt ends.
    pub away_limit_secs: Option<i64>,
    pub max_attempts: i64,
    pub attempts_used: i64,
    pub pass_threshold: i64,
    /// The points a pass pays; `None` for managers and admins (they earn nothing).
    pub points: Option<i64>,
}

/// Where the reading of the theory stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadState {
    pub read: bool,
    /// Milliseconds each block (in order) still needs on screen.
    pub remaining_ms: Vec<i64>,
    /// An attempt is in progress: "Go to test" resumes it.
    pub in_progress: bool,
    /// Why a new attempt cannot start, if it cannot.
    pub refusal: Option<Msg>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TheoryData {
    pub cert_id: CertId,
    pub title: String,
    pub description: String,
    pub blocks: Vec<TheoryBlock>,
    pub materials: Vec<Material>,
    pub min_read_secs: i64,
    pub read: ReadState,
    pub rules: CertRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptScreen {
    pub attempt_id: AttemptId,
    pub cert_id: CertId,
    pub title: String,
    pub number: i64,
    pub mode: TimerMode,
    /// Every question in order; in pause mode only those already shown carry their text
    /// (`None`: not shown yet, fetched with `show_question` when the user moves to it).
    pub questions: Vec<Option<QuestionView>>,
    pub answers: Vec<Option<Vec<u32>>>,
    pub current_index: i64,
    pub remaining_ms: i64,
    /// Pause mode: the time away after which the attempt ends (told to the user up front).
    #[serde(default)]
    pub away_limit_ms: Option<i64>,
}

/// What starting an attempt gives: the attempt, and for a new one its test screen (the start
/// already holds its questions, nothing is answered yet and the whole time is left), so the
/// Mini App opens the test without asking for it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Started {
    pub attempt_id: AttemptId,
    /// `None` when the attempt was already in progress: `current_attempt` resumes it (its clock
    /// may be paused, its answers saved).
    pub screen: Option<AttemptScreen>,
}

/// What the test screen finds: the attempt to continue, or a finished one to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TestEntry {
    Attempt(AttemptScreen),
    Finished(AttemptId),
    /// No attempt in progress: back to the theory.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockAck {
    pub remaining_ms: i64,
    /// Set when the time ran out and the server finished the attempt.
    pub finished: Option<AttemptId>,
}

/// What an attempt earned an employee: the points of a first pass, the badges it completed,
/// and the level it reached.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Earned {
    pub points: i64,
    pub badges: Vec<String>,
    pub level: Option<String>,
}

/// A question the user moved to, with the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShownQuestion {
    pub ack: ClockAck,
    /// `None` when the attempt is over.
    pub question: Option<QuestionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultView {
    pub attempt_id: AttemptId,
    pub cert_id: CertId,
    pub title: String,
    pub number: i64,
    pub percent: i64,
    pub correct: i64,
    pub total: i64,
    pub threshold: i64,
    pub passed: bool,
    pub best_percent: i64,
    pub attempts_left: i64,
    pub can_retry: bool,
    pub timed_out: bool,
    /// What the attempt earned; `None` for managers and admins (they earn nothing).
    #[serde(default)]
    pub earned: Option<Earned>,
    /// Ended by the server: the time away passed the certification's limit.
    #[serde(default)]
    pub away_limit: bool,
    pub review_allowed: bool,
    pub finished_at: Timestamp,
    pub used_ms: i64,
}

/// The result page's data: the scored result, or "finishing" when the page is rendered for an
/// attempt that is over but not finished yet (the hydrated page then finishes it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultState {
    Ready(ResultView),
    Finishing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub question: QuestionView,
    pub answer: Option<Vec<u32>>,
    /// The right answer (the correct options, or the right order), only once no attempt
    /// remains; until then a review shows only whether each answer was right.
    pub right: Option<Vec<u32>>,
    pub is_right: bool,
    pub explanation: Option<String>,
}

/// Data for the admin's preview: what an employee sees, without an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewData {
    pub title: String,
    pub blocks: Vec<TheoryBlock>,
    pub materials: Vec<Material>,
    pub questions: Vec<QuestionView>,
    pub time_limit_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertResults {
    pub title: String,
    pub max_attempts: i64,
    pub threshold: i64,
    pub closes_at: Option<Timestamp>,
    /// One page of the people the filter keeps, sorted.
    pub rows: Vec<ResultLine>,
    /// People the filter keeps (all pages).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Over everyone the actor may see, whatever the filter.
    pub rates: crate::domain::rates::Rates,
    pub review_allowed: bool,
    pub open: bool,
    /// For the filters: the branches and positions the actor may choose.
    pub branches: Vec<(i64, String)>,
    pub positions: Vec<(i64, String)>,
}

/// A bulk action on a certification's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    /// A bot message to each person not passed yet (their mutes and quiet hours apply).
    Remind,
    GrantAttempt,
    Reset {
        reason: String,
        require_reread: bool,
    },
}

/// What a bulk action did, or would do (`dry_run`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    /// The people chosen (the selection, or everyone the filter keeps).
    pub chosen: i64,
    /// Those the action applies to (not passed, may be given an attempt, has attempts…).
    pub applies: i64,
    /// Of those, who it reaches: for reminders, those the bot can write to now or after
    /// the quiet hours; else the same as `applies`.
    pub reached: i64,
    /// Done (0 for a dry run).
    pub done: i64,
}

/// A certification as taking it reads it, cached per content version (`crate::cache`): the
/// row, its current theory's pages, every theory version with its "read again" flag, and the
/// question bank a start draws from.
#[derive(Debug, Clone)]
pub struct CertForTaking {
    pub cert: crate::domain::certification::Certification,
    pub blocks: Vec<TheoryBlock>,
    pub theory_versions: Vec<(i64, bool)>,
    pub bank: Vec<crate::domain::attempt::BankQuestion>,
}

/// A theory version's pages and materials, as cached (`crate::cache`).
#[derive(Debug, Clone)]
pub struct TheoryContent {
    pub blocks: Vec<crate::domain::certification::TheoryBlock>,
    pub materials: Vec<crate::domain::certification::Material>,
}
