//! `/api/v1/certifications`: settings and status (never answer keys), assignments, results per
//! certification and per person, attempts, and progress reset.

use super::ApiState;
use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery, parse_json};
use super::problem::{ApiError, Problem};
use super::users::{employees_unless_admin, find, internal};
use app::certifications::{AssignKind, CertListItem};
use app::domain::CertId;
use app::domain::api_keys::{Access, Resource};
use app::domain::certification::{CertStatus, Certification};
use app::domain::scope::PeopleScope;
use app::error::AppError;
use app::storage::certifications::Assignment;
use app::taking::{AttemptSummary, PersonResult, ResultRow};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// A certification: settings, status, theory version, question count and assignments. Never
/// the questions or their answer keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertDetail {
    #[serde(flatten)]
    pub certification: Certification,
    pub question_count: i64,
    pub assignments: Vec<Assignment>,
}

async fn cert(st: &ApiState, id: i64) -> Result<Certification, ApiError> {
    let mut c = st.app.db.read().await.map_err(internal)?;
    app::storage::certifications::get(c.conn(), CertId(id))
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound.into())
}

#[utoipa::path(get, path = "/api/v1/certifications/{id}", tag = "certifications",
    params(("id" = i64, Path)),
    responses((status = 200, body = CertDetail), (status = 404, body = Problem)))]
pub async fn get_one(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CertDetail>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let certification = cert(&st, id).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(CertDetail {
        question_count: app::storage::certifications::question_count(c.conn(), certification.id)
            .await
            .map_err(internal)?,
        assignments: app::storage::certifications::assignments(c.conn(), certification.id)
            .await
            .map_err(internal)?,
        certification,
    }))
}

#[utoipa::path(get, path = "/api/v1/certifications/{id}/assignments", tag = "certifications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Assignment>), (status = 404, body = Problem)))]
pub async fn assignments(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Assignment>>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let certification = cert(&st, id).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::certifications::assignments(c.conn(), certification.id)
            .await
            .map_err(internal)?,
    ))
}

/// What to assign: a position, a branch or one person (our user id).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignment {
    pub target_kind: AssignKind,
    pub target_id: i64,
}

/// Assigns a position, branch or person (a no-op when assigned already). Not once closed.
#[utoipa::path(post, path = "/api/v1/certifications/{id}/assignments", tag = "certifications",
    params(("id" = i64, Path)), request_body = NewAssignment,
    responses((status = 200, body = Vec<Assignment>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_assignment(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> Result<Json<Vec<Assignment>>, ApiError> {
    caller.require(Resource::Certifications, Access::Write)?;
    let a: NewAssignment = parse_json(&body)?;
    app::certifications::service::add_assignment(
        &st.app,
        &caller.by,
        &caller.origin,
        CertId(id),
        a.target_kind,
        a.target_id,
    )
    .await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::certifications::assignments(c.conn(), CertId(id))
            .await
            .map_err(internal)?,
    ))
}

/// Removes an assignment (only before the certification opens).
#[utoipa::path(delete, path = "/api/v1/certifications/{id}/assignments/{kind}/{target_id}", tag = "certifications",
    params(("id" = i64, Path), ("kind" = AssignKind, Path), ("target_id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn remove_assignment(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath((id, kind, target_id)): ApiPath<(i64, AssignKind, i64)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Resource::Certifications, Access::Write)?;
    cert(&st, id).await?;
    app::certifications::service::remove_assignment(
        &st.app,
        &caller.by,
        &caller.origin,
        CertId(id),
        kind,
        target_id,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everyone the certification reaches, with their progress: attempts used, best result,
/// when they passed.
#[utoipa::path(get, path = "/api/v1/certifications/{id}/results", tag = "certifications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ResultRow>), (status = 404, body = Problem)))]
pub async fn results(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ResultRow>>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let certification = cert(&st, id).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::attempts::results(c.conn(), certification.id, &PeopleScope::Everyone, false)
            .await
            .map_err(internal)?,
    ))
}

/// A person's standing in every certification they have progress in.
#[utoipa::path(get, path = "/api/v1/users/{ref}/results", tag = "certifications",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`")),
    responses((status = 200, body = Vec<PersonResult>), (status = 404, body = Problem)))]
pub async fn person_results(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<Vec<PersonResult>>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let user = find(&st, &reference).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::attempts::person_results(c.conn(), user.id)
            .await
            .map_err(internal)?,
    ))
}

/// A person's attempts at one certification, newest first (results only, never answers).
#[utoipa::path(get, path = "/api/v1/users/{ref}/certifications/{id}/attempts", tag = "certifications",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"), ("id" = i64, Path)),
    responses((status = 200, body = Vec<AttemptSummary>), (status = 404, body = Problem)))]
pub async fn attempts(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath((reference, id)): ApiPath<(String, i64)>,
) -> Result<Json<Vec<AttemptSummary>>, ApiError> {
    caller.require(Resource::Certifications, Access::Read)?;
    let user = find(&st, &reference).await?;
    let certification = cert(&st, id).await?;
    let mut c = st.app.db.read().await.map_err(internal)?;
    Ok(Json(
        app::storage::attempts::history(c.conn(), user.id, certification.id)
            .await
            .map_err(internal)?,
    ))
}

/// Gives a person one more attempt: their newest counted attempt stops counting (it stays in
/// the history). Refused (422) when the certification is not open, or the person passed at
/// 100 % or has used no attempt. Employees only, unless the key has the `admin` scope.
#[utoipa::path(post, path = "/api/v1/users/{ref}/certifications/{id}/grant-attempt", tag = "certifications",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"), ("id" = i64, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn grant_attempt(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath((reference, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    caller.require(Resource::Certifications, Access::Write)?;
    let user = find(&st, &reference).await?;
    employees_unless_admin(&caller, &user)?;
    app::taking::service::grant_attempt(&st.app, &caller.by, &caller.origin, CertId(id), user.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a person's progress is reset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// 1 to 500 characters; goes to the audit log.
    pub reason: String,
    /// The theory must be read again before the next attempt.
    #[serde(default)]
    pub require_reread: bool,
}

/// Resets a person's progress: attempts so far stop counting (they stay in the history).
/// Employees only, unless the key has the `admin` scope.
#[utoipa::path(post, path = "/api/v1/users/{ref}/certifications/{id}/reset", tag = "certifications",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"), ("id" = i64, Path)),
    request_body = ResetRequest,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn reset(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath((reference, id)): ApiPath<(String, i64)>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    caller.require(Resource::Certifications, Access::Write)?;
    let r: ResetRequest = parse_json(&body)?;
    let user = find(&st, &reference).await?;
    employees_unless_admin(&caller, &user)?;
    app::taking::service::reset(
        &st.app,
        &caller.by,
        &caller.origin,
        CertId(id),
        user.id,
        &r.reason,
        r.require_reread,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
