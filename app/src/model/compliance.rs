//! The types of `crate::compliance` that storage returns.

use crate::domain::{CertId, Timestamp};

/// A certification that is a column of the compliance matrix and the dashboard.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ColumnRow {
    pub id: CertId,
    pub title: String,
    pub status: String,
    pub closes_at: Option<Timestamp>,
}
