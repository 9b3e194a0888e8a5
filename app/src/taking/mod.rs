//! Taking a certification in the Mini App: theory reading, attempts, answers, results,
//! history and review; and, for the admin panel, results per certification and resets.

#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod touches;

use crate::domain::attempt::QuestionView;
use crate::domain::certification::{Material, TheoryBlock, TimerMode};
use crate::domain::progress::MyCertState;
use crate::domain::{AttemptId, BlockId, CertId, Timestamp, UserId};
use crate::error::AppError;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCert {
    pub id: CertId,
    pub title: String,
    pub state: MyCertState,
    pub closes_at: Option<Timestamp>,
    pub time_limit_secs: i64,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptScreen {
    pub attempt_id: AttemptId,
    pub cert_id: CertId,
    pub title: String,
    pub number: i64,
    pub mode: TimerMode,
    pub questions: Vec<QuestionView>,
    pub answers: Vec<Option<Vec<u32>>>,
    pub current_index: i64,
    pub remaining_ms: i64,
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
    pub rows: Vec<ResultRow>,
    /// Passed among those who finished at least one attempt, 0–100.
    pub pass_rate: Option<i64>,
    /// Whether a full review (with the right answers) can be open to someone: the reset
    /// dialog warns that they may have seen the answers.
    pub review_allowed: bool,
    pub open: bool,
}

#[server(prefix = "/api", endpoint = "app/certifications", input = GetUrl)]
pub async fn my_certifications() -> Result<Vec<MyCert>, AppError> {
    crate::auth::guard::respond(service::my_certifications().await)
}

#[server(prefix = "/api", endpoint = "app/theory")]
pub async fn theory(cert_id: CertId) -> Result<TheoryData, AppError> {
    crate::auth::guard::respond(service::theory(cert_id).await)
}

/// A theory page is on screen (the reading time is measured by the server).
#[server(prefix = "/api", endpoint = "app/theory/shown")]
pub async fn page_shown(cert_id: CertId, block_id: BlockId) -> Result<ReadState, AppError> {
    crate::auth::guard::respond(service::page_shown(cert_id, block_id).await)
}

/// Starts an attempt, or returns the one in progress (a double tap or two devices never make two).
#[server(prefix = "/api", endpoint = "app/attempts/start")]
pub async fn start_attempt(cert_id: CertId) -> Result<AttemptId, AppError> {
    crate::auth::guard::respond(service::start(cert_id).await)
}

/// The test screen: the attempt in progress as the server has it.
#[server(prefix = "/api", endpoint = "app/attempts/current")]
pub async fn current_attempt(cert_id: CertId) -> Result<TestEntry, AppError> {
    crate::auth::guard::respond(service::current(cert_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/answer", input = Json)]
pub async fn save_answer(
    attempt_id: AttemptId,
    index: i64,
    answer: Vec<u32>,
) -> Result<ClockAck, AppError> {
    crate::auth::guard::respond(service::save_answer(attempt_id, index, answer).await)
}

/// The user is on the test screen (at question `index`).
#[server(prefix = "/api", endpoint = "app/attempts/heartbeat")]
pub async fn heartbeat(attempt_id: AttemptId, index: i64) -> Result<ClockAck, AppError> {
    crate::auth::guard::respond(service::heartbeat(attempt_id, index).await)
}

/// The user left the test screen (back to the theory, the app hidden or closed: the page sends
/// this as a beacon). In pause mode the clock stops now, until the user resumes.
#[server(prefix = "/api", endpoint = "app/attempts/leave")]
pub async fn leave_test(attempt_id: AttemptId) -> Result<(), AppError> {
    crate::auth::guard::respond(service::leave(attempt_id).await)
}

/// Finishes the attempt and returns the scored result.
#[server(prefix = "/api", endpoint = "app/attempts/finish")]
pub async fn finish_attempt(attempt_id: AttemptId) -> Result<ResultView, AppError> {
    crate::auth::guard::respond(service::finish(attempt_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/result")]
pub async fn attempt_result(attempt_id: AttemptId) -> Result<ResultState, AppError> {
    crate::auth::guard::respond(service::result(attempt_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/history")]
pub async fn my_history(cert_id: CertId) -> Result<Vec<AttemptSummary>, AppError> {
    crate::auth::guard::respond(service::history(cert_id).await)
}

#[server(prefix = "/api", endpoint = "app/attempts/review")]
pub async fn attempt_review(attempt_id: AttemptId) -> Result<Vec<ReviewItem>, AppError> {
    crate::auth::guard::respond(service::review(attempt_id).await)
}

#[server(prefix = "/api", endpoint = "certifications/preview")]
pub async fn preview_certification(id: CertId) -> Result<PreviewData, AppError> {
    crate::auth::guard::respond(service::preview(id).await)
}

#[server(prefix = "/api", endpoint = "certifications/results")]
pub async fn certification_results(id: CertId) -> Result<CertResults, AppError> {
    crate::auth::guard::respond(service::results(id).await)
}

/// Resets a user's progress on a certification (old attempts stay in history, marked reset).
#[server(prefix = "/api", endpoint = "certifications/reset")]
pub async fn reset_progress(
    id: CertId,
    user_id: UserId,
    reason: String,
    require_reread: bool,
) -> Result<(), AppError> {
    crate::auth::guard::respond(service::reset(id, user_id, reason, require_reread).await)
}
