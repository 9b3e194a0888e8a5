//! The compliance matrix (certifications module): people × certifications, each cell passed
//! (with the result), failed, in progress, not started or overdue (`domain::compliance`), in
//! the actor's `visible_people` scope, filtered by branch, position and state; the pass rate
//! per branch and per position; and the same as CSV (`/admin/compliance.csv`).

pub mod page;
#[cfg(feature = "ssr")]
pub mod service;

use crate::dictionaries::Entry;
use crate::domain::compliance::{Cell, CellKind};
use crate::domain::{BranchId, CertId, PositionId, Timestamp, UserId};
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

pub const PER_PAGE: i64 = 50;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceFilter {
    pub branch: Option<BranchId>,
    pub position: Option<PositionId>,
    /// Only people with at least one cell in this state.
    pub state: Option<CellKind>,
    /// Only people not passed in a certification closing within this many days.
    #[serde(default)]
    pub due: Option<i64>,
    /// 1-based.
    pub page: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceColumn {
    pub id: CertId,
    pub title: String,
    pub closes_at: Option<Timestamp>,
    /// Open now (else closed).
    pub open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceRow {
    pub user_id: UserId,
    pub name: String,
    pub branch: Option<String>,
    pub position: Option<String>,
    /// One per column.
    pub cells: Vec<Cell>,
}

/// A branch or a position: the pass rate per column (`None`: nobody assigned there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRate {
    pub name: String,
    pub people: i64,
    pub rates: Vec<Option<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceView {
    pub columns: Vec<ComplianceColumn>,
    pub rows: Vec<ComplianceRow>,
    /// People matching the filter (all pages).
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Everyone the branch and position filters keep, in every column: completion and
    /// pass rate.
    pub overall: crate::domain::rates::Rates,
    pub by_branch: Vec<GroupRate>,
    pub by_position: Vec<GroupRate>,
    /// For the filters: what the actor may choose.
    pub branches: Vec<Entry>,
    pub positions: Vec<Entry>,
}

/// Reminds everyone the filter keeps who has not passed an open certification, through the
/// bot (their mutes and quiet hours apply); `dry_run` only counts.
#[server(prefix = "/api", endpoint = "compliance/remind", input = Json, output = crate::codec::Json)]
pub async fn compliance_remind(
    filter: ComplianceFilter,
    dry_run: bool,
) -> Result<crate::model::taking::BulkOutcome, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::remind(
                &guard::state(),
                &actor,
                &guard::origin("admin"),
                &filter,
                dry_run,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/api", endpoint = "compliance/matrix", input = Json, output = crate::codec::Json)]
pub async fn compliance_matrix(filter: ComplianceFilter) -> Result<ComplianceView, AppError> {
    use crate::auth::guard;
    guard::respond(
        async {
            let actor = guard::module(crate::domain::permissions::Module::Certifications).await?;
            service::build(&guard::state(), &actor.user, &filter, true).await
        }
        .await,
    )
}
