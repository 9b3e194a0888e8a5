//! The types of `crate::analytics`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::QuestionId;
use crate::domain::stats::QuestionFlag;
use serde::{Deserialize, Serialize};

/// How often one option of a question was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionStat {
    pub text: String,
    pub correct: bool,
    pub chosen: i64,
}

/// One question (one revision of it) over the attempts that were asked it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionStat {
    pub question_id: QuestionId,
    pub revision: i64,
    /// Plain text of the question.
    pub text: String,
    pub answered: i64,
    /// Share right, 0–100.
    pub facility: Option<f64>,
    /// −1 to 1; None when it cannot be computed (no variance).
    pub discrimination: Option<f64>,
    pub options: Vec<OptionStat>,
    pub flags: Vec<QuestionFlag>,
    /// An ordering question: its option counts are not shown.
    #[serde(default)]
    pub ordering: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertStats {
    pub assigned: i64,
    pub read: i64,
    pub attempted: i64,
    pub passed: i64,
    /// Finished attempts the figures below count.
    pub attempts: i64,
    pub first_only: bool,
    /// Ten buckets of 10 points (the last is 90–100): each person's best, and every attempt.
    pub best_histogram: Vec<i64>,
    pub all_histogram: Vec<i64>,
    pub median_used_secs: Option<i64>,
    /// Mean number of the attempt that passed, over those who passed.
    pub attempts_to_pass: Option<f64>,
    pub questions: Vec<QuestionStat>,
}
