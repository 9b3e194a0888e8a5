//! Team results in the Mini App: what a manager or admin sees of the people they may see
//! (`visible_people`): the latest results, and one person's certifications and attempts. The
//! buttons of result notifications open these pages.

pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

use crate::domain::{AttemptId, CertId, Timestamp, UserId};
use crate::error::AppError;
use crate::paging::Page;
use crate::taking::AttemptSummary;
use leptos::prelude::*;
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

#[server(prefix = "/api", endpoint = "app/team")]
pub async fn team_results(page: i64) -> Result<Page<TeamResult>, AppError> {
    crate::auth::guard::respond(service::recent(page).await)
}

#[server(prefix = "/api", endpoint = "app/team/person")]
pub async fn team_person(user_id: UserId) -> Result<TeamPersonView, AppError> {
    crate::auth::guard::respond(service::person(user_id).await)
}
