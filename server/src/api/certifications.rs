//! `/api/v1/certifications`: settings and status, never answer keys.

use super::ApiState;
use super::extract::ApiQuery;
use super::keys::Caller;
use super::problem::{ApiError, Problem};
use super::users::internal;
use app::certifications::CertListItem;
use app::domain::api_keys::{Access, Resource};
use app::domain::certification::CertStatus;
use axum::extract::State;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertParams {
    pub status: Option<CertStatus>,
}

/// Every certification (newest first), optionally of one status.
#[utoipa::path(get, path = "/api/v1/certifications", tag = "certifications", params(CertParams),
    responses((status = 200, body = Vec<CertListItem>), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<CertParams>,
) -> Result<Json<Vec<CertListItem>>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    let (rows, _) = app::storage::certifications::list(c.conn(), p.status, None, 10_000, 0)
        .await
        .map_err(internal)?;
    Ok(Json(
        rows.into_iter()
            .filter_map(|r| {
                Some(CertListItem {
                    id: r.id,
                    title: r.title,
                    status: r.status.parse().ok()?,
                    opens_at: r.opens_at,
                    closes_at: r.closes_at,
                    questions: r.questions,
                    blocks: r.blocks,
                })
            })
            .collect(),
    ))
}
