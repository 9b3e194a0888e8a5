//! SCIM 2.0 over HTTP at `/scim/v2` (RFC 7644): the same bearer keys as the REST API (their
//! checks, rate limits and use counts), with the `scim` scope; `application/scim+json`;
//! SCIM error bodies; `meta.version` as `ETag`, `If-Match` answered with 412. The rules live in
//! `app::scim` and `app::domain::scim`; this only translates.

mod discovery;
mod project;

use crate::api::keys::{self, Caller};
use crate::api::problem::{ApiError, lang_of};
use crate::api::{ApiRuntime, ApiState};
use app::domain::scim::{ERROR_SCHEMA, LIST_SCHEMA, ScimError};
use app::error::AppError;
use app::i18n::{Lang, Msg};
use app::scim::service::{self as users, ScimFailure};
use app::state::AppState;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

pub const CONTENT_TYPE: &str = "application/scim+json";
/// The largest page SCIM hands out (`ServiceProviderConfig.filter.maxResults`).
pub const MAX_RESULTS: i64 = 1_000;
const DEFAULT_COUNT: i64 = 100;

/// A SCIM answer: a status, a JSON body, an optional ETag and Location.
pub struct Scim {
    status: StatusCode,
    body: Option<Value>,
    etag: Option<String>,
    location: Option<String>,
}

impl Scim {
    fn ok(body: Value) -> Self {
        Scim {
            status: StatusCode::OK,
            body: Some(body),
            etag: None,
            location: None,
        }
    }
}

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let mut res = match self.body {
            Some(b) => (self.status, b.to_string()).into_response(),
            None => self.status.into_response(),
        };
        let h = res.headers_mut();
        if self.status != StatusCode::NO_CONTENT {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        }
        for (name, v) in [(header::ETAG, self.etag), (header::LOCATION, self.location)] {
            if let Some(v) = v.and_then(|v| HeaderValue::from_str(&v).ok()) {
                h.insert(name, v);
            }
        }
        res
    }
}

/// A SCIM error body (RFC 7644 §3.12); `status` is a string there.
fn error_body(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({ "schemas": [ERROR_SCHEMA], "status": status.as_u16().to_string(), "detail": detail });
    if let Some(t) = scim_type {
        body["scimType"] = json!(t);
    }
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    res
}

/// A refusal before it is written: in the caller's language.
pub struct Failure {
    err: ScimFailure,
    lang: Lang,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self.err {
            ScimFailure::Scim(e) => {
                error_body(StatusCode::BAD_REQUEST, Some(e.scim_type()), &e.to_string())
            }
            ScimFailure::Uniqueness(attr) => error_body(
                StatusCode::CONFLICT,
                Some("uniqueness"),
                &format!("{attr}: {}", Msg::ErrScimTaken.text(self.lang)),
            ),
            ScimFailure::App(e) => {
                let status =
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let message = e.message(self.lang);
                match e {
                    AppError::Invalid { ref fields } => {
                        let detail = match fields.first() {
                            Some(f) => format!("{}: {message}", f.field),
                            None => message,
                        };
                        error_body(StatusCode::BAD_REQUEST, Some("invalidValue"), &detail)
                    }
                    // Two requests racing for one userName: the database's unique index answers.
                    AppError::Conflict => {
                        error_body(StatusCode::CONFLICT, Some("uniqueness"), &message)
                    }
                    AppError::Refused { .. } => {
                        error_body(StatusCode::BAD_REQUEST, Some("invalidValue"), &message)
                    }
                    AppError::Forbidden(Msg::ErrAdminOnly) => error_body(
                        StatusCode::FORBIDDEN,
                        None,
                        Msg::ErrApiAdminScope.text(self.lang),
                    ),
                    AppError::Internal => {
                        tracing::error!("SCIM request failed");
                        error_body(status, None, &message)
                    }
                    _ => error_body(status, None, &message),
                }
            }
        }
    }
}

type Answer = Result<Scim, Failure>;

/// What every handler starts from: the key (which must hold the `scim` scope), the caller's
/// language and the request headers. Taken as an extractor, so the check is in one place.
struct Call {
    st: ApiState,
    caller: Caller,
    lang: Lang,
    headers: HeaderMap,
}

impl axum::extract::FromRequestParts<ApiState> for Call {
    type Rejection = Failure;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &ApiState,
    ) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        let refused = |err| Failure { err, lang };
        // The key middleware runs first on every SCIM route and leaves the caller here.
        let caller = parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| refused(ScimFailure::App(AppError::Unauthorized)))?;
        if !caller.scopes.scim() {
            return Err(refused(ScimFailure::App(AppError::Forbidden(
                Msg::ErrApiScope,
            ))));
        }
        Ok(Call {
            st: st.clone(),
            caller,
            lang,
            headers: parts.headers.clone(),
        })
    }
}

impl Call {
    fn fail(&self, err: impl Into<ScimFailure>) -> Failure {
        Failure {
            err: err.into(),
            lang: self.lang,
        }
    }

    fn service(&self) -> users::Caller<'_> {
        users::Caller {
            state: &self.st.app,
            by: &self.caller.by,
            origin: &self.caller.origin,
        }
    }

    fn body(&self, bytes: &Bytes) -> Result<Value, Failure> {
        serde_json::from_slice::<Value>(bytes)
            .map_err(|e| self.fail(ScimError::InvalidSyntax(e.to_string())))
    }
}

/// The version in `If-Match` (`W/"3"`, `"3"`); `*` or none is no condition.
fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| *v != "*")
        .map(str::to_owned)
}

fn user_version(call: &Call) -> Result<Option<i64>, Failure> {
    match if_match(&call.headers) {
        None => Ok(None),
        Some(v) => v
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map(Some)
            .map_err(|_| call.fail(AppError::PreconditionFailed)),
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ItemParams {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

/// `startIndex` below 1 is 1, `count` below 0 is 0 (RFC 7644 §3.4.2.4); above the maximum,
/// the maximum. Not a number: `invalidValue`.
fn paging(p: &ListParams) -> Result<(i64, i64), ScimError> {
    let num = |v: &Option<String>, name: &str, default: i64| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s
            .parse::<i64>()
            .map_err(|_| ScimError::InvalidValue(format!("{name} must be a number"))),
    };
    let start = num(&p.start_index, "startIndex", 1)?.max(1);
    let count = num(&p.count, "count", DEFAULT_COUNT)?.clamp(0, MAX_RESULTS);
    Ok((start, count))
}

fn list_body(total: i64, start: i64, items: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": items.len(),
        "Resources": items,
    })
}

async fn list_users(call: Call, Query(p): Query<ListParams>) -> Answer {
    let (start, count) = paging(&p).map_err(|e| call.fail(e))?;
    let (total, items) = users::list(&call.st.app, p.filter.as_deref(), start, count)
        .await
        .map_err(|e| call.fail(e))?;
    let items = items
        .into_iter()
        .map(|r| project::project(r, p.attributes.as_deref(), p.excluded_attributes.as_deref()))
        .collect();
    Ok(Scim::ok(list_body(total, start, items)))
}

fn item(body: Value, etag: String, p: &ItemParams, status: StatusCode) -> Scim {
    let location = body["meta"]["location"].as_str().map(str::to_owned);
    Scim {
        status,
        body: Some(project::project(
            body,
            p.attributes.as_deref(),
            p.excluded_attributes.as_deref(),
        )),
        etag: Some(etag),
        location: (status == StatusCode::CREATED)
            .then_some(location)
            .flatten(),
    }
}

async fn get_user(call: Call, Path(id): Path<String>, Query(p): Query<ItemParams>) -> Answer {
    let (body, v) = users::get(&call.st.app, &id)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, users::etag(v), &p, StatusCode::OK))
}

async fn create_user(call: Call, Query(p): Query<ItemParams>, bytes: Bytes) -> Answer {
    let body = call.body(&bytes)?;
    let (body, v) = users::create(&call.service(), &body)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, users::etag(v), &p, StatusCode::CREATED))
}

async fn replace_user(
    call: Call,
    Path(id): Path<String>,
    Query(p): Query<ItemParams>,
    bytes: Bytes,
) -> Answer {
    let expected = user_version(&call)?;
    let body = call.body(&bytes)?;
    let (body, v) = users::replace(&call.service(), &id, &body, expected)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, users::etag(v), &p, StatusCode::OK))
}

async fn patch_user(
    call: Call,
    Path(id): Path<String>,
    Query(p): Query<ItemParams>,
    bytes: Bytes,
) -> Answer {
    let expected = user_version(&call)?;
    let body = call.body(&bytes)?;
    let (body, v) = users::patch(&call.service(), &id, &body, expected)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, users::etag(v), &p, StatusCode::OK))
}

async fn delete_user(call: Call, Path(id): Path<String>) -> Answer {
    let expected = user_version(&call)?;
    users::delete(&call.service(), &id, expected)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Scim {
        status: StatusCode::NO_CONTENT,
        body: None,
        etag: None,
        location: None,
    })
}

use app::scim::groups;

async fn list_groups(call: Call, Query(p): Query<ListParams>) -> Answer {
    let (start, count) = paging(&p).map_err(|e| call.fail(e))?;
    let (total, items) = groups::list(&call.st.app, p.filter.as_deref(), start, count)
        .await
        .map_err(|e| call.fail(e))?;
    let items = items
        .into_iter()
        .map(|r| project::project(r, p.attributes.as_deref(), p.excluded_attributes.as_deref()))
        .collect();
    Ok(Scim::ok(list_body(total, start, items)))
}

async fn get_group(call: Call, Path(id): Path<String>, Query(p): Query<ItemParams>) -> Answer {
    let (body, v) = groups::get(&call.st.app, &id)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, v, &p, StatusCode::OK))
}

async fn create_group(call: Call, Query(p): Query<ItemParams>, bytes: Bytes) -> Answer {
    let body = call.body(&bytes)?;
    let (body, v) = groups::create(&call.service(), &body)
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, v, &p, StatusCode::CREATED))
}

async fn replace_group(
    call: Call,
    Path(id): Path<String>,
    Query(p): Query<ItemParams>,
    bytes: Bytes,
) -> Answer {
    let body = call.body(&bytes)?;
    let expected = if_match(&call.headers);
    let (body, v) = groups::replace(&call.service(), &id, &body, expected.as_deref())
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, v, &p, StatusCode::OK))
}

async fn patch_group(
    call: Call,
    Path(id): Path<String>,
    Query(p): Query<ItemParams>,
    bytes: Bytes,
) -> Answer {
    let body = call.body(&bytes)?;
    let expected = if_match(&call.headers);
    let (body, v) = groups::patch(&call.service(), &id, &body, expected.as_deref())
        .await
        .map_err(|e| call.fail(e))?;
    Ok(item(body, v, &p, StatusCode::OK))
}

async fn delete_group(call: Call, Path(id): Path<String>) -> Answer {
    let expected = if_match(&call.headers);
    groups::delete(&call.service(), &id, expected.as_deref())
        .await
        .map_err(|e| call.fail(e))?;
    Ok(Scim {
        status: StatusCode::NO_CONTENT,
        body: None,
        etag: None,
        location: None,
    })
}

/// `POST .search` (RFC 7644 §3.4.3) is not offered: `GET` with `filter` does the same.
async fn no_search(headers: HeaderMap) -> Response {
    let detail = Msg::ErrScimNoSearch.text(lang_of(&headers));
    error_body(StatusCode::NOT_IMPLEMENTED, None, detail)
}

async fn no_method(headers: HeaderMap) -> Response {
    error_body(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        Msg::ErrApiMethod.text(lang_of(&headers)),
    )
}

async fn no_route(headers: HeaderMap) -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        None,
        Msg::ErrApiNoRoute.text(lang_of(&headers)),
    )
}

/// The key middleware's refusals (401, 403, 429) as SCIM errors; `Retry-After` stays.
async fn render(req: Request<Body>, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let res = next.run(req).await;
    let Some(err) = res.extensions().get::<ApiError>().cloned() else {
        return res;
    };
    let detail = err.problem(lang).detail;
    let mut out = error_body(res.status(), None, &detail);
    for (name, v) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), v.clone());
        }
    }
    out
}

/// `/scim/v2/*`.
pub fn router(app: AppState, runtime: ApiRuntime) -> Router {
    let state = ApiState { app, runtime };
    Router::new()
        .route("/scim/v2/Users", get(list_users).post(create_user))
        .route("/scim/v2/Users/.search", axum::routing::post(no_search))
        .route("/scim/v2/Groups/.search", axum::routing::post(no_search))
        .route("/scim/v2/.search", axum::routing::post(no_search))
        .route(
            "/scim/v2/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/scim/v2/Groups", get(list_groups).post(create_group))
        .route(
            "/scim/v2/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(discovery::resource_types))
        .route("/scim/v2/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/scim/v2/Schemas", get(discovery::schemas))
        .route("/scim/v2/Schemas/{id}", get(discovery::schema))
        .route("/scim/v2/{*rest}", axum::routing::any(no_route))
        .method_not_allowed_fallback(no_method)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            keys::authenticate,
        ))
        .layer(axum::middleware::from_fn(render))
        .with_state(state)
}
