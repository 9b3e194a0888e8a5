//! The admin panel's table exports, each as CSV and as XLSX, in the caller's language and
//! the display time zone (certifications module, the caller's scope):
//! `/admin/compliance.{csv,xlsx}?branch=&position=&state=&due=` (the matrix as the page filters
//! it, every row), `/admin/certifications/{id}/statistics.{csv,xlsx}?first_only=` (the
//! per-question analysis), `/admin/certifications/{id}/results.{csv,xlsx}?search=&branch=&
//! position=&state=&flagged=&sort=&desc=` (the results as the page filters and sorts them,
//! every row) and `/admin/dashboard.{csv,xlsx}` (the open certifications).

use super::{actor, error_response};
use crate::server_state::ServerState;
use crate::xlsx;
use app::auth::Surface;
use app::compliance::ComplianceFilter;
use app::domain::actor::Actor;
use app::domain::compliance::CellKind;
use app::domain::permissions::Module;
use app::domain::{BranchId, CertId, PositionId};
use app::error::AppError;
use app::export::{ExportTable, MAX_XLSX_ROWS};
use app::i18n::{Lang, Msg};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// The signed-in admin with the certifications module, or the error response.
async fn admin(state: &ServerState, headers: &HeaderMap) -> Result<Actor, Response> {
    match actor(state, headers, Surface::Admin).await {
        Ok(Some(a)) if a.modules.contains(Module::Certifications) => Ok(a),
        Ok(Some(_)) => Err(error_response(
            &AppError::Forbidden(Msg::ErrNoModule),
            headers,
        )),
        Ok(None) => Err(error_response(&AppError::Unauthorized, headers)),
        Err(e) => Err(error_response(&e, headers)),
    }
}

fn lang_of(headers: &HeaderMap) -> Lang {
    Lang::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()))
}

/// The table as a download in `format`.
async fn respond(
    state: &ServerState,
    headers: &HeaderMap,
    table: ExportTable,
    format: Format,
) -> Response {
    let offset = state.app.config.display_utc_offset_minutes;
    let name = table.name.clone();
    let (body, content_type, ext) = match format {
        Format::Csv => (
            table.csv(offset).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => {
            if table.rows.len() > MAX_XLSX_ROWS {
                let e = AppError::Refused {
                    msg: Msg::ErrExportTooLarge,
                    params: vec![("max".into(), MAX_XLSX_ROWS.to_string())],
                };
                return error_response(&e, headers);
            }
            // Writing a big workbook is CPU work: off the async threads.
            match tokio::task::spawn_blocking(move || xlsx::write(&table, offset)).await {
                Ok(Ok(bytes)) => (
                    bytes,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                ),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, table = name, "the XLSX export failed");
                    return error_response(&AppError::Internal, headers);
                }
                Err(e) => {
                    tracing::error!(error = %e, table = name, "the XLSX export panicked");
                    return error_response(&AppError::Internal, headers);
                }
            }
        }
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Table names are ASCII identifiers chosen in code.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[derive(Debug, Deserialize)]
pub struct ComplianceParams {
    branch: Option<String>,
    position: Option<String>,
    state: Option<String>,
    due: Option<String>,
}

fn compliance_filter(p: &ComplianceParams) -> Option<ComplianceFilter> {
    let id = |v: &Option<String>| -> Option<Option<i64>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => s.parse().ok().map(Some),
        }
    };
    let state = match p.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(CellKind::parse(s)?),
    };
    Some(ComplianceFilter {
        branch: id(&p.branch)?.map(BranchId),
        position: id(&p.position)?.map(PositionId),
        state,
        due: id(&p.due)?,
        page: 1,
    })
}

async fn compliance(
    state: ServerState,
    headers: HeaderMap,
    p: ComplianceParams,
    format: Format,
) -> Response {
    let who = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(filter) = compliance_filter(&p) else {
        return error_response(&AppError::BadRequest, &headers);
    };
    match app::compliance::service::build(&state.app, &who.user, &filter, false).await {
        Ok(v) => {
            let table = app::compliance::service::table_of(&v, lang_of(&headers));
            respond(&state, &headers, table, format).await
        }
        Err(e) => error_response(&e, &headers),
    }
}

pub async fn compliance_csv(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(p): Query<ComplianceParams>,
) -> Response {
    compliance(state, headers, p, Format::Csv).await
}

pub async fn compliance_xlsx(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(p): Query<ComplianceParams>,
) -> Response {
    compliance(state, headers, p, Format::Xlsx).await
}

#[derive(Debug, Deserialize)]
pub struct StatsParams {
    first_only: Option<String>,
}

async fn statistics(
    state: ServerState,
    headers: HeaderMap,
    id: String,
    p: StatsParams,
    format: Format,
) -> Response {
    let who = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = id.parse::<CertId>() else {
        return error_response(&AppError::NotFound, &headers);
    };
    let first_only = match p.first_only.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => return error_response(&AppError::BadRequest, &headers),
    };
    match app::analytics::service::stats_of(&state.app, id, first_only, &who.scope).await {
        Ok(s) => {
            let s =
                app::analytics::service::for_reader(s, who.modules.contains(Module::QuestionBank));
            let table = app::analytics::service::table_of(&s, lang_of(&headers));
            respond(&state, &headers, table, format).await
        }
        Err(e) => error_response(&e, &headers),
    }
}

pub async fn statistics_csv(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<StatsParams>,
) -> Response {
    statistics(state, headers, id, p, Format::Csv).await
}

pub async fn statistics_xlsx(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<StatsParams>,
) -> Response {
    statistics(state, headers, id, p, Format::Xlsx).await
}

async fn dashboard(state: ServerState, headers: HeaderMap, format: Format) -> Response {
    let who = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match app::dashboard::service::dashboard_of(&state.app, &who.user).await {
        Ok(d) => {
            let table = app::dashboard::service::table_of(&d, lang_of(&headers));
            respond(&state, &headers, table, format).await
        }
        Err(e) => error_response(&e, &headers),
    }
}

pub async fn dashboard_csv(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    dashboard(state, headers, Format::Csv).await
}

pub async fn dashboard_xlsx(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    dashboard(state, headers, Format::Xlsx).await
}

/// The results page's filter and order, as its export link carries them.
#[derive(Debug, Deserialize)]
pub struct ResultsParams {
    search: Option<String>,
    branch: Option<String>,
    position: Option<String>,
    state: Option<String>,
    flagged: Option<String>,
    sort: Option<String>,
    desc: Option<String>,
}

type ResultsQuery = (app::taking::ResultsFilter, app::taking::ResultsSort, bool);

fn results_query(p: &ResultsParams) -> Option<ResultsQuery> {
    let blank = |v: &Option<String>| -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let id = |v: &Option<String>| -> Option<Option<i64>> {
        match blank(v) {
            None => Some(None),
            Some(s) => s.parse().ok().map(Some),
        }
    };
    let flag = |v: &Option<String>| -> Option<bool> {
        match blank(v).as_deref() {
            None | Some("false") => Some(false),
            Some("true") => Some(true),
            Some(_) => None,
        }
    };
    let state = match blank(&p.state) {
        None => None,
        Some(s) => Some(CellKind::parse(&s)?),
    };
    let sort = match blank(&p.sort) {
        None => app::taking::ResultsSort::default(),
        Some(s) => app::taking::ResultsSort::parse(&s)?,
    };
    Some((
        app::taking::ResultsFilter {
            search: blank(&p.search),
            branch: id(&p.branch)?.map(BranchId),
            position: id(&p.position)?.map(PositionId),
            state,
            flagged: flag(&p.flagged)?,
        },
        sort,
        flag(&p.desc)?,
    ))
}

async fn results(
    state: ServerState,
    headers: HeaderMap,
    id: String,
    p: ResultsParams,
    format: Format,
) -> Response {
    let who = match admin(&state, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(id) = id.parse::<CertId>() else {
        return error_response(&AppError::NotFound, &headers);
    };
    let Some((filter, sort, desc)) = results_query(&p) else {
        return error_response(&AppError::BadRequest, &headers);
    };
    match app::taking::service::results(&state.app, &who, id, &filter, sort, desc, None).await {
        Ok(r) => {
            let table = app::taking::service::table_of(&r, lang_of(&headers));
            respond(&state, &headers, table, format).await
        }
        Err(e) => error_response(&e, &headers),
    }
}

pub async fn results_csv(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<ResultsParams>,
) -> Response {
    results(state, headers, id, p, Format::Csv).await
}

pub async fn results_xlsx(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(p): Query<ResultsParams>,
) -> Response {
    results(state, headers, id, p, Format::Xlsx).await
}
