//! `/api/v1/users/{ref}/achievements` and `/points`: a person's balance, level and badges,
//! and ledger entries written with a reason (employees only, never below zero).

use super::ApiState;
use super::extract::{ApiPath, parse_json};
use super::idempotency::{self, Answer};
use super::keys::Caller;
use super::problem::{ApiError, Problem};
use super::users::find;
use app::domain::api_keys::{Access, Resource};
use app::gamification::Achievements;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

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
        let balance = app::users::service::change_points_as(
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
