//! The types of `crate::team`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::model::taking::AttemptSummary;
use serde::{Deserialize, Serialize};

/// A finished attempt of someone in the team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TeamResult {
    pub attempt_id: AttemptId,
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub certification_id: CertId,
    pub title: String,
    pub percent: Option<i64>,
    pub passed: Option<bool>,
    pub finished_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCert {
    pub certification_id: CertId,
    pub title: String,
    pub attempts: Vec<AttemptSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamPersonView {
    pub user_id: UserId,
    pub name: String,
    pub position: Option<String>,
    pub branch: Option<String>,
    pub certifications: Vec<TeamCert>,
}
