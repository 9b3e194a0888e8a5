//! `/api/v1/users/{ref}/achievements` and `/points`: a person's balance, level and badges,
//! and ledger entries written with a reason (employees only, never below zero); the levels,
//! the badge catalogue, and manual badges awarded and revoked.

use super::ApiState;
use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery, parse_json};
use super::idempotency::{self, Answer};
use super::problem::{ApiError, Problem};
use super::users::{employees_unless_admin, find, internal};
use app::domain::api_keys::{Access, Resource};
use app::domain::gamification::Level;
use app::gamification::{Achievements, BadgeRow, HeldBadge};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

#[utoipa::path(get, path = "/api/v1/users/{ref}/achievements", tag = "achievements",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`")),
    responses((status = 200, body = Achievements), (status = 404, body = Problem)))]
pub async fn get(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<Achievements>, ApiError> {
    caller.require(Resource::Achievements, Access::Read)?;
    let user = find(&st, &reference).await?;
    Ok(Json(
        app::gamification::service::achievements_of(&st.app, user).await?,
    ))
}

/// A ledger entry: points to add (or take, when negative).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointsEntry {
    pub delta: i64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Balance {
    pub user_id: app::domain::UserId,
    pub balance: i64,
}

/// Writes a ledger entry. With an `Idempotency-Key` the entry is written once, whatever the
/// retries (the key is also the entry's key in the ledger).
#[utoipa::path(post, path = "/api/v1/users/{ref}/points", tag = "achievements", request_body = PointsEntry,
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"),
           ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 201, body = Balance), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn add_points(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = caller.require(Resource::Achievements, Access::Write) {
        return e.into_response();
    }
    let key = match idempotency::key_of(&headers) {
        Ok(k) => k,
        Err(e) => return e.into_response(),
    };
    let route = format!("POST /users/{reference}/points");
    idempotency::once(&st, &caller, &headers, &route, &body, || async {
        let entry: PointsEntry = parse_json(&body)?;
        let user = find(&st, &reference).await?;
        let balance = app::users::service::change_points(
            &st.app,
            &caller.by,
            user.id,
            Some(entry.delta),
            None,
            &entry.reason,
            key.as_deref(),
            &caller.origin,
        )
        .await?;
        Ok(Answer::new(
            StatusCode::CREATED,
            json!(Balance {
                user_id: user.id,
                balance
            }),
        ))
    })
    .await
}

/// The levels, lowest first.
#[utoipa::path(get, path = "/api/v1/levels", tag = "achievements",
    responses((status = 200, body = Vec<Level>), (status = 403, body = Problem)))]
pub async fn levels(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Level>>, ApiError> {
    caller.require(Resource::Achievements, Access::Read)?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    let mut levels = app::storage::gamification::levels(c.conn())
        .await
        .map_err(internal)?;
    levels.sort_by_key(|l| l.min_points);
    Ok(Json(levels))
}

/// The badge catalogue (archived badges included: people may still hold them).
#[utoipa::path(get, path = "/api/v1/badges", tag = "achievements",
    responses((status = 200, body = Vec<BadgeRow>), (status = 403, body = Problem)))]
pub async fn badges(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<BadgeRow>>, ApiError> {
    caller.require(Resource::Achievements, Access::Read)?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::gamification::badges(c.conn(), true)
            .await
            .map_err(internal)?,
    ))
}

/// The badges a person holds or held (revoked ones carry `revoked_at`).
#[utoipa::path(get, path = "/api/v1/users/{ref}/badges", tag = "achievements",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`")),
    responses((status = 200, body = Vec<HeldBadge>), (status = 404, body = Problem)))]
pub async fn held(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<Vec<HeldBadge>>, ApiError> {
    caller.require(Resource::Achievements, Access::Read)?;
    let user = find(&st, &reference).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::gamification::held(c.conn(), user.id)
            .await
            .map_err(internal)?,
    ))
}

/// A manual badge to award, with the reason the person sees.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BadgeGrant {
    pub badge_id: i64,
    pub reason: String,
}

/// Awards a manual badge (employees only; 422 when held already or not a manual badge).
#[utoipa::path(post, path = "/api/v1/users/{ref}/badges", tag = "achievements", request_body = BadgeGrant,
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`")),
    responses((status = 200, body = Vec<HeldBadge>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn award(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
    body: Bytes,
) -> Result<Json<Vec<HeldBadge>>, ApiError> {
    caller.require(Resource::Achievements, Access::Write)?;
    let grant: BadgeGrant = parse_json(&body)?;
    let user = find(&st, &reference).await?;
    employees_unless_admin(&caller, &user)?;
    app::users::service::award(
        &st.app,
        &caller.by,
        &caller.origin,
        user.id,
        grant.badge_id,
        &grant.reason,
    )
    .await?;
    held(State(st), Extension(caller), ApiPath(reference)).await
}

/// Why a badge is taken back.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevokeParams {
    /// 1 to 500 characters (required); goes to the audit log.
    pub reason: Option<String>,
}

/// Revokes a badge a person holds.
#[utoipa::path(delete, path = "/api/v1/users/{ref}/badges/{badge_id}", tag = "achievements",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"), ("badge_id" = i64, Path), RevokeParams),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn revoke(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath((reference, badge_id)): ApiPath<(String, i64)>,
    ApiQuery(p): ApiQuery<RevokeParams>,
) -> Result<StatusCode, ApiError> {
    caller.require(Resource::Achievements, Access::Write)?;
    let user = find(&st, &reference).await?;
    employees_unless_admin(&caller, &user)?;
    app::users::service::revoke(
        &st.app,
        &caller.by,
        &caller.origin,
        user.id,
        badge_id,
        p.reason.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
