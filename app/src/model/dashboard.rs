//! The types of `crate::dashboard`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::{CertId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// "Due soon" means closing within this many days.
pub const DUE_SOON_DAYS: i64 = 7;
pub const ACTIVITY_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCert {
    pub id: CertId,
    pub title: String,
    pub closes_at: Option<Timestamp>,
    pub assigned: i64,
    pub passed: i64,
    pub in_progress: i64,
    /// Passed out of assigned (`domain::rates`), 0–100.
    pub completion: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayActivity {
    pub day: Timestamp,
    pub attempts: i64,
    pub passes: i64,
}

/// Where a branch stands: who needs a push there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchStanding {
    /// `None`: people without a branch.
    pub branch: Option<i64>,
    pub name: String,
    pub rates: crate::domain::rates::Rates,
    /// People × certifications past the close date and not passed.
    pub overdue: i64,
    /// Not passed, closing within [`DUE_SOON_DAYS`].
    pub due_soon: i64,
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
    /// Everyone in scope in every open or closed certification: completion and pass rate.
    pub overall: crate::domain::rates::Rates,
    /// Most overdue first, then most due soon, then by name.
    pub branches: Vec<BranchStanding>,
    pub activity: Vec<DayActivity>,
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
