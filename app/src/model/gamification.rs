//! The types of `crate::gamification`: what storage returns and services, views and the API
//! share (re-exported there, so their paths and schema names stay).

use crate::domain::gamification::Level;
use crate::domain::user::Role;
use crate::domain::{Timestamp, UserId};
use crate::paging::Page;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct LedgerRow {
    pub delta: i64,
    pub reason: String,
    pub source: String,
    pub admin_name: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct BadgeRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub icon_url: Option<String>,
    pub kind: String,
    pub rule: Option<String>,
    pub rule_n: Option<i64>,
    pub archived: bool,
}

/// A badge a user holds (or held).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct HeldBadge {
    pub id: i64,
    pub badge_id: i64,
    pub awarded_at: Timestamp,
    pub reason: String,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RatingRow {
    pub place: i64,
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub photo_url: Option<String>,
    pub points: i64,
}

/// A badge of the catalogue as someone's achievements show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BadgeStatus {
    pub badge: BadgeRow,
    pub earned_at: Option<Timestamp>,
}

/// A person's points, level and badges: the Mini App's achievements page and the API's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Achievements {
    pub user_id: UserId,
    pub name: String,
    pub photo_url: Option<String>,
    pub role: Role,
    /// Whether this person earns points and badges (employees only).
    pub earns: bool,
    pub balance: i64,
    pub level: Option<Level>,
    pub next: Option<Level>,
    pub progress: i64,
    pub badges: Vec<BadgeStatus>,
    /// Only on one's own Mini App page (never in the API): the balance after each of the
    /// latest entries, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub history: Vec<(Timestamp, i64)>,
    /// Only on one's own Mini App page: where one stands in each certification assigned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub certifications: Vec<CertProgress>,
}

/// One's standing in an assigned certification, for "my achievements".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertProgress {
    pub id: crate::domain::CertId,
    pub title: String,
    pub best_percent: Option<i64>,
    pub pass_threshold: i64,
    pub passed: bool,
    pub attempts_used: i64,
    pub max_attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingView {
    pub page: Page<RatingRow>,
    /// The signed-in employee's own row, wherever it is.
    pub me: Option<RatingRow>,
    pub branches: Vec<(i64, String)>,
    pub positions: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub levels: Vec<Level>,
    pub badges: Vec<BadgeRow>,
}
