//! Certification statistics next to the results (certifications module): the funnel
//! (assigned, read, attempted, passed), score distributions of best and of all attempts,
//! time used, attempts needed to pass, and per question facility, discrimination, the options
//! chosen and flags (`domain::stats`).

#[cfg(feature = "ssr")]
pub mod backfill;
pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::stats::QuestionFlag;
use crate::domain::{CertId, QuestionId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
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

#[server(prefix = "/api", endpoint = "certifications/stats", input = GetUrl)]
pub async fn certification_stats(id: CertId, first_only: bool) -> Result<CertStats, AppError> {
    crate::auth::guard::respond(service::stats(id, first_only).await)
}

/// How a flag reads.
pub fn flag_msg(f: QuestionFlag) -> crate::i18n::Msg {
    use crate::i18n::Msg;
    match f {
        QuestionFlag::TooEasy => Msg::StatsTooEasy,
        QuestionFlag::TooHard => Msg::StatsTooHard,
        QuestionFlag::NegativeDiscrimination => Msg::StatsNegative,
    }
}

pub fn flags_text(flags: &[QuestionFlag], lang: crate::i18n::Lang) -> String {
    flags
        .iter()
        .map(|f| flag_msg(*f).text(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "✓ right — 12; wrong — 3": each option, right ones ticked, with how often it was chosen.
pub fn options_text(options: &[OptionStat]) -> String {
    options
        .iter()
        .map(|o| {
            format!(
                "{}{} — {}",
                if o.correct { "✓ " } else { "" },
                o.text,
                o.chosen
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
