//! Theory reading, attempts, answers and per-user progress.
//!
//! One file per part: `progress`, `attempt`, `results`, `batch` (the group-committed
//! writes) and `finishing` (attempts ended several at a time).

use super::{Conn, StorageResult, on_conn, placeholders, value_rows};
use crate::domain::attempt::{AnswerShape, AskedQuestion, AttemptClock, Score, Shown};
use crate::domain::certification::TimerMode;
use crate::domain::scope::PeopleScope;
use crate::domain::{AttemptId, BlockId, CertId, Timestamp, UserId};
use crate::model::taking::{AttemptSummary, ResultRow};
use sqlx::types::Json;

mod attempt;
mod batch;
mod events;
mod finishing;
mod progress;
mod results;

pub use attempt::*;
pub use batch::*;
pub use events::*;
pub use finishing::*;
pub use progress::*;
pub use results::*;
