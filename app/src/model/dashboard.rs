//! The types of `crate::dashboard`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::{CertId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// "Due soon" means closing within this many days.
pub const DUE_SOON_DAYS: i64 = 3;
pub const ACTIVITY_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCert {
    pub id: CertId,
    pub title: String,
    pub closes_at: Option<Timestamp>,
    pub assigned: i64,
    pub passed: i64,
    pub in_progress: i64,
    pub pass_rate: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayActivity {
    pub day: Timestamp,
    pub attempts: i64,
    pub passes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchRate {
    pub name: String,
    pub rate: i64,
}

/// How many of the newest badges and level-ups the dashboard shows.
pub const RECENT: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recognition {
    Badge { name: String },
    Level { number: i64, name: String },
}

/// A badge earned or a level reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentRecognition {
    pub at: Timestamp,
    pub user_id: UserId,
    pub person: String,
    pub what: Recognition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub open: Vec<OpenCert>,
    pub in_progress: i64,
    /// Assigned, not passed, closing within [`DUE_SOON_DAYS`].
    pub due_soon: i64,
    pub overdue: i64,
    pub activity: Vec<DayActivity>,
    /// Highest pass rate first; the lowest, lowest first (at most 3 each).
    pub top_branches: Vec<BranchRate>,
    pub bottom_branches: Vec<BranchRate>,
    /// Newest first, at most [`RECENT`].
    pub recent: Vec<RecentRecognition>,
}

/// What the dashboard counts, read from the database (cached: `crate::cache`); the rest is
/// decided per request, since cells depend on the time.
#[cfg(feature = "ssr")]
pub struct Figures {
    pub columns: Vec<crate::model::compliance::ColumnRow>,
    pub groups: Vec<crate::domain::compliance::PairGroup>,
    /// (day, attempts, passes)
    pub activity: Vec<(i64, i64, i64)>,
    pub branches: Vec<crate::model::dictionaries::DictEntry>,
}
