//! `/api/v1/positions` and `/api/v1/branches`: list, create (a name is its natural key, so a
//! repeated create returns the same entry), rename.

use super::ApiState;
use super::caller::Caller;
use super::extract::{ApiPath, parse_json};
use super::problem::{ApiError, Problem};
use super::users::internal;
use app::dictionaries::{DictKind, Entry};
use app::domain::api_keys::{Access, Resource};
use app::storage::dictionaries::{self, Dictionary};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryName {
    pub name: String,
}

async fn list_of(
    st: &ApiState,
    caller: &Caller,
    dict: Dictionary,
) -> Result<Json<Vec<Entry>>, ApiError> {
    caller.require(Resource::Dictionaries, Access::Read)?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    let rows = dictionaries::list(c.conn(), dict).await.map_err(internal)?;
    Ok(Json(
        rows.into_iter()
            .map(|e| Entry {
                id: e.id,
                name: e.name,
            })
            .collect(),
    ))
}

async fn add(
    st: &ApiState,
    caller: &Caller,
    kind: DictKind,
    body: &[u8],
) -> Result<(StatusCode, Json<Entry>), ApiError> {
    caller.require(Resource::Dictionaries, Access::Write)?;
    let b: EntryName = parse_json(body)?;
    let e =
        app::dictionaries::service::add(&st.app, &caller.by, kind, &b.name, &caller.origin).await?;
    Ok((StatusCode::CREATED, Json(e)))
}

async fn rename(
    st: &ApiState,
    caller: &Caller,
    kind: DictKind,
    id: i64,
    body: &[u8],
) -> Result<Json<Entry>, ApiError> {
    caller.require(Resource::Dictionaries, Access::Write)?;
    let b: EntryName = parse_json(body)?;
    let e =
        app::dictionaries::service::rename(&st.app, &caller.by, kind, id, &b.name, &caller.origin)
            .await?;
    Ok(Json(e))
}

/// Every position, by name.
#[utoipa::path(get, path = "/api/v1/positions", tag = "dictionaries",
    responses((status = 200, body = Vec<Entry>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_positions(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    list_of(&st, &caller, Dictionary::Positions).await
}

/// The position with this name, created if missing.
#[utoipa::path(post, path = "/api/v1/positions", tag = "dictionaries", request_body = EntryName,
    responses((status = 201, body = Entry), (status = 422, body = Problem)))]
pub async fn add_position(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Entry>), ApiError> {
    add(&st, &caller, DictKind::Position, &body).await
}

#[utoipa::path(patch, path = "/api/v1/positions/{id}", tag = "dictionaries", request_body = EntryName,
    params(("id" = i64, Path)), responses((status = 200, body = Entry), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename_position(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> Result<Json<Entry>, ApiError> {
    rename(&st, &caller, DictKind::Position, id, &body).await
}

/// Every branch, by name.
#[utoipa::path(get, path = "/api/v1/branches", tag = "dictionaries",
    responses((status = 200, body = Vec<Entry>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_branches(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    list_of(&st, &caller, Dictionary::Branches).await
}

/// The branch with this name, created if missing.
#[utoipa::path(post, path = "/api/v1/branches", tag = "dictionaries", request_body = EntryName,
    responses((status = 201, body = Entry), (status = 422, body = Problem)))]
pub async fn add_branch(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<(StatusCode, Json<Entry>), ApiError> {
    add(&st, &caller, DictKind::Branch, &body).await
}

#[utoipa::path(patch, path = "/api/v1/branches/{id}", tag = "dictionaries", request_body = EntryName,
    params(("id" = i64, Path)), responses((status = 200, body = Entry), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn rename_branch(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> Result<Json<Entry>, ApiError> {
    rename(&st, &caller, DictKind::Branch, id, &body).await
}
