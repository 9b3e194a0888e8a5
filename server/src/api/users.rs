//! `/api/v1/users`: people, by our id, HR id (`ext:<id>`) or Telegram id (`tg:<id>`); the
//! incremental list; create, update (with `If-Match`), deactivate; bulk upsert by HR id.
//! Every change goes through the same domain functions as the admin panel.

use super::ApiState;
use super::caller::Caller;
use super::extract::{ApiPath, ApiQuery, etag, if_match, parse_json};
use super::idempotency::{self, Answer};
use super::problem::{ApiError, Problem};
use app::domain::actor::By;
use app::domain::api_keys::{Access, Resource};
use app::domain::audit::AuditAction;
use app::domain::user::{Role, User, UserStatus};
use app::domain::{BranchId, PositionId, TelegramId, Timestamp, UserId};
use app::error::AppError;
use app::i18n::Msg;
use app::storage::horizon::Position;
use app::users::{NewPerson, ProfileEdit};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

pub const MAX_PAGE: i64 = 1_000;
pub const MAX_BULK: usize = 1_000;

/// Query of every incremental list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// Only rows changed at or after this instant (RFC 3339). For a first sync; afterwards
    /// pass `cursor`, which never misses a change.
    pub updated_since: Option<String>,
    /// `next_cursor` of the previous page (opaque).
    pub cursor: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A page of people in change order. Keep `next_cursor` (even from the last page) and pass
/// it next time: every change after it will come, each person's latest state at least once.
/// Deactivated people stay in the list with `status: deactivated` (tombstones).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next_cursor: String,
    /// More rows are ready now; without it the client is up to date.
    pub has_more: bool,
}

/// A person to register by Telegram id (they sign in with it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub telegram_id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// `employee` unless given; managers and admins need the `admin` scope.
    pub role: Option<Role>,
    pub position_id: Option<PositionId>,
    pub branch_id: Option<BranchId>,
    /// The HR system's id: the natural key of upserts.
    pub external_id: Option<String>,
}

fn double<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Fields to change; absent fields stay, `null` clears position, branch or HR id.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<Role>,
    /// `active` or `deactivated`.
    pub status: Option<UserStatus>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub position_id: Option<Option<PositionId>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub branch_id: Option<Option<BranchId>>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<String>)]
    pub external_id: Option<Option<String>>,
}

/// Up to 1,000 people to create or update by `external_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUsers {
    pub users: Vec<BulkUser>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUser {
    pub external_id: String,
    /// Needed to create; optional to update.
    pub telegram_id: Option<i64>,
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub position_id: Option<PositionId>,
    pub branch_id: Option<BranchId>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
    Failed,
}

/// What happened to one row; each row is applied on its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkRow {
    pub index: usize,
    pub external_id: String,
    pub outcome: RowOutcome,
    pub user: Option<User>,
    pub error: Option<Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub rows: Vec<BulkRow>,
}

/// `123`, `ext:HR-1` or `tg:777`.
pub async fn find(st: &ApiState, reference: &str) -> Result<User, ApiError> {
    let mut c = st.app.db.read().await.map_err(internal)?;
    let found = if let Some(ext) = reference.strip_prefix("ext:") {
        app::storage::users::get_by_external_id(c.conn(), ext).await
    } else if let Some(tg) = reference.strip_prefix("tg:") {
        let tg: i64 = tg.parse().map_err(|_| AppError::NotFound)?;
        app::storage::users::get_by_telegram_id(c.conn(), TelegramId(tg)).await
    } else {
        let id: i64 = reference.parse().map_err(|_| AppError::NotFound)?;
        app::storage::users::get(c.conn(), UserId(id)).await
    };
    found
        .map_err(internal)?
        .ok_or_else(|| AppError::NotFound.into())
}

pub fn internal(e: app::storage::StorageError) -> ApiError {
    ApiError::new(app::error::AppError::from(e))
}

fn with_etag(status: StatusCode, user: &User) -> Answer {
    Answer::new(status, json!(user)).header(header::ETAG, etag(user.version))
}

const CURSOR_PREFIX: &str = "c1.";

pub fn encode_cursor(p: Position) -> String {
    format!("{CURSOR_PREFIX}{}", p.encode())
}

pub fn decode_cursor(s: &str) -> Result<Position, ApiError> {
    s.strip_prefix(CURSOR_PREFIX)
        .and_then(Position::decode)
        .ok_or_else(|| ApiError::bad_request(Msg::ErrCursorInvalid))
}

pub fn since_of(p: &SyncParams) -> Result<Option<Timestamp>, ApiError> {
    p.updated_since
        .as_deref()
        .map(|s| {
            Timestamp::parse_rfc3339(s)
                .ok_or_else(|| ApiError::bad_request(Msg::ErrTimestampInvalid))
        })
        .transpose()
}

pub fn limit_of(p: &SyncParams) -> Result<i64, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(Msg::ErrPageSize));
    }
    Ok(limit)
}

/// People changed after the cursor (or since a time), in change order.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(SyncParams),
    responses((status = 200, body = UserPage), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 429, body = Problem)))]
pub async fn list(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(p): ApiQuery<SyncParams>,
) -> Result<axum::Json<UserPage>, ApiError> {
    caller.require(Resource::Users, Access::Read)?;
    let limit = limit_of(&p)?;
    let since = since_of(&p)?;
    let after = p
        .cursor
        .as_deref()
        .map(decode_cursor)
        .transpose()?
        .unwrap_or(Position::START);
    let mut c = st.app.db.read().await.map_err(internal)?;
    let mut rows = app::storage::users::changed(c.conn(), after, since, limit + 1)
        .await
        .map_err(internal)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = rows.last().map(|r| r.position()).unwrap_or(after);
    Ok(axum::Json(UserPage {
        items: rows.into_iter().map(|r| r.user).collect(),
        next_cursor: encode_cursor(next),
        has_more,
    }))
}

#[utoipa::path(get, path = "/api/v1/users/{ref}", tag = "users",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`")),
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 404, body = Problem)))]
pub async fn get_one(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Response, ApiError> {
    caller.require(Resource::Users, Access::Read)?;
    let user = find(&st, &reference).await?;
    Ok(with_etag(StatusCode::OK, &user).into_response())
}

fn check_external(e: Option<&str>) -> Result<(), ApiError> {
    if let Some(e) = e
        && (e.trim().is_empty() || e.chars().count() > 100 || e.chars().any(char::is_control))
    {
        return Err(AppError::invalid("external_id", Msg::ErrExternalIdInvalid).into());
    }
    Ok(())
}

/// Registers a person (active at once). Send an `Idempotency-Key` to retry safely.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 201, body = User, headers(("ETag" = String), ("Location" = String))), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn create(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = caller.require(Resource::Users, Access::Write) {
        return e.into_response();
    }
    idempotency::once(&st, &caller, &headers, "POST /users", &body, || async {
        let new: NewUser = parse_json(&body)?;
        check_external(new.external_id.as_deref())?;
        let person = NewPerson {
            telegram_id: new.telegram_id,
            first_name: new.first_name,
            last_name: new.last_name,
            role: new.role.unwrap_or(Role::Employee),
            position: new.position_id,
            branch: new.branch_id,
        };
        let user = app::users::service::create(
            &st.app,
            &caller.by,
            &person,
            new.external_id.as_deref(),
            &caller.origin,
        )
        .await
        .map_err(admin_scope)?;
        let location = HeaderValue::from_str(&format!("/api/v1/users/{}", user.id))
            .unwrap_or(HeaderValue::from_static("/api/v1/users"));
        Ok(with_etag(StatusCode::CREATED, &user).header(header::LOCATION, location))
    })
    .await
}

/// A key without the `admin` scope is refused with a message that names the scope.
/// Without the `admin` scope a key changes employees only (never managers' or admins' badges,
/// points or progress).
pub fn employees_unless_admin(caller: &Caller, user: &User) -> Result<(), ApiError> {
    if user.role == Role::Employee || caller.scopes.admin() {
        return Ok(());
    }
    Err(ApiError::with_msg(
        AppError::Forbidden(Msg::ErrAdminOnly),
        Msg::ErrApiAdminScope,
        Vec::new(),
    ))
}

fn admin_scope(e: AppError) -> ApiError {
    match e {
        AppError::Forbidden(Msg::ErrAdminOnly) | AppError::Forbidden(Msg::ErrSelfEscalation) => {
            ApiError::with_msg(e, Msg::ErrApiAdminScope, Vec::new())
        }
        other => other.into(),
    }
}

fn merged(before: &User, p: &UserPatch) -> ProfileEdit {
    ProfileEdit {
        first_name: p
            .first_name
            .clone()
            .unwrap_or_else(|| before.first_name.clone()),
        last_name: p
            .last_name
            .clone()
            .unwrap_or_else(|| before.last_name.clone()),
        role: p.role.unwrap_or(before.role),
        status: p.status.unwrap_or(before.status),
        position: p.position_id.unwrap_or(before.position_id),
        branch: p.branch_id.unwrap_or(before.branch_id),
    }
}

/// Changes the given fields. With `If-Match: "<version>"`, only if nobody changed the person
/// since (412 otherwise).
#[utoipa::path(patch, path = "/api/v1/users/{ref}", tag = "users", request_body = UserPatch,
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"),
           ("If-Match" = Option<String>, Header, description = "The ETag read before")),
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 412, body = Problem), (status = 422, body = Problem), (status = 404, body = Problem)))]
pub async fn update(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(Resource::Users, Access::Write)?;
    let expected = if_match(&headers)?;
    let patch: UserPatch = parse_json(&body)?;
    if let Some(Some(e)) = &patch.external_id {
        check_external(Some(e))?;
    }
    let before = find(&st, &reference).await?;
    let edit = merged(&before, &patch);
    let ext = patch.external_id.as_ref().map(|e| e.as_deref());
    let user = app::users::service::update(
        &st.app,
        &caller.by,
        before.id,
        edit,
        ext,
        expected,
        &caller.origin,
    )
    .await
    .map_err(admin_scope)?;
    Ok(with_etag(StatusCode::OK, &user).into_response())
}

/// Deactivates a person (their sessions end; the row stays as a tombstone in the list).
#[utoipa::path(delete, path = "/api/v1/users/{ref}", tag = "users",
    params(("ref" = String, Path, description = "Our id, `ext:<HR id>` or `tg:<Telegram id>`"),
           ("If-Match" = Option<String>, Header, description = "The ETag read before")),
    responses((status = 200, body = User), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn deactivate(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiPath(reference): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(Resource::Users, Access::Write)?;
    let expected = if_match(&headers)?;
    let before = find(&st, &reference).await?;
    let patch = UserPatch {
        status: Some(UserStatus::Deactivated),
        ..UserPatch::default()
    };
    let user = app::users::service::update(
        &st.app,
        &caller.by,
        before.id,
        merged(&before, &patch),
        None,
        expected,
        &caller.origin,
    )
    .await
    .map_err(admin_scope)?;
    Ok(with_etag(StatusCode::OK, &user).into_response())
}

/// Creates or updates up to 1,000 people by `external_id`, each row on its own: one bad row
/// never stops the others. Each change is audited with its row; one more entry has the counts
/// and the report.
#[utoipa::path(post, path = "/api/v1/users/bulk", tag = "users", request_body = BulkUsers,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 200, body = BulkReport), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn bulk(
    State(st): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = caller.require(Resource::Users, Access::Write) {
        return e.into_response();
    }
    idempotency::once(&st, &caller, &headers, "POST /users/bulk", &body, || async {
        let req: BulkUsers = parse_json(&body)?;
        if req.users.len() > MAX_BULK {
            return Err(ApiError::with_msg(AppError::invalid("users", Msg::ErrBulkTooLarge), Msg::ErrBulkTooLarge, Vec::new()));
        }
        // Each row is audited in its own transaction (a bulk cut off midway leaves no change
        // without its entry); one more entry sums the call up.
        let by = caller.by.clone();
        let lang = super::problem::lang_of(&headers);
        let mut report = BulkReport { created: 0, updated: 0, unchanged: 0, failed: 0, rows: Vec::new() };
        for (index, row) in req.users.into_iter().enumerate() {
            let external_id = row.external_id.clone();
            let (outcome, user, error) = match upsert(&st, &by, &caller, row).await {
                Ok((o, u)) => (o, Some(u), None),
                Err(e) => (RowOutcome::Failed, None, Some(e.problem(lang))),
            };
            match outcome {
                RowOutcome::Created => report.created += 1,
                RowOutcome::Updated => report.updated += 1,
                RowOutcome::Unchanged => report.unchanged += 1,
                RowOutcome::Failed => report.failed += 1,
            }
            report.rows.push(BulkRow { index, external_id, outcome, user, error });
        }
        let failures: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.error.is_some())
            .map(|r| json!({ "index": r.index, "external_id": r.external_id, "error": r.error.as_ref().map(|e| e.code.clone()) }))
            .collect();
        let details = json!({ "created": report.created, "updated": report.updated, "unchanged": report.unchanged, "failed": report.failed, "errors": failures });
        let recorded = async {
            let mut tx = st.app.db.begin().await?;
            app::storage::audit::record(tx.conn(), &caller.by.audit(AuditAction::UsersImported, "users", "bulk", details, &caller.origin, st.app.now())).await?;
            tx.commit().await
        }
        .await;
        recorded.map_err(internal)?;
        Ok(Answer::new(StatusCode::OK, json!(report)))
    })
    .await
}

async fn upsert(
    st: &ApiState,
    by: &By,
    caller: &Caller,
    row: BulkUser,
) -> Result<(RowOutcome, User), ApiError> {
    check_external(Some(&row.external_id))?;
    let existing = {
        let mut c = st.app.db.read().await.map_err(internal)?;
        app::storage::users::get_by_external_id(c.conn(), &row.external_id)
            .await
            .map_err(internal)?
    };
    match existing {
        None => {
            let Some(telegram_id) = row.telegram_id else {
                return Err(AppError::invalid("telegram_id", Msg::ErrTelegramId).into());
            };
            let person = NewPerson {
                telegram_id,
                first_name: row.first_name,
                last_name: row.last_name,
                role: row.role.unwrap_or(Role::Employee),
                position: row.position_id,
                branch: row.branch_id,
            };
            let user = app::users::service::create(
                &st.app,
                by,
                &person,
                Some(&row.external_id),
                &caller.origin,
            )
            .await
            .map_err(admin_scope)?;
            Ok((RowOutcome::Created, user))
        }
        Some(before) => {
            let patch = UserPatch {
                first_name: Some(row.first_name),
                last_name: Some(row.last_name),
                role: row.role,
                status: row.status,
                position_id: row.position_id.map(Some),
                branch_id: row.branch_id.map(Some),
                external_id: None,
            };
            let edit = merged(&before, &patch);
            let same = edit.first_name.trim() == before.first_name
                && edit.last_name.trim() == before.last_name
                && edit.role == before.role
                && edit.status == before.status
                && edit.position == before.position_id
                && edit.branch == before.branch_id;
            if same {
                return Ok((RowOutcome::Unchanged, before));
            }
            let user = app::users::service::update(
                &st.app,
                by,
                before.id,
                edit,
                None,
                None,
                &caller.origin,
            )
            .await
            .map_err(admin_scope)?;
            Ok((RowOutcome::Updated, user))
        }
    }
}
