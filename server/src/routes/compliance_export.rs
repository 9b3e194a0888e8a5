//! `GET /admin/compliance.csv?branch=&position=&state=`: the compliance matrix as the page
//! filters it, every row, in the caller's language (certifications module, their scope).

use super::{actor, error_response};
use crate::startup::ServerState;
use app::auth::Surface;
use app::compliance::ComplianceFilter;
use app::domain::compliance::CellKind;
use app::domain::permissions::Module;
use app::domain::{BranchId, PositionId};
use app::error::AppError;
use app::i18n::{Lang, Msg};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Params {
    branch: Option<String>,
    position: Option<String>,
    state: Option<String>,
}

fn parse(p: &Params) -> Option<ComplianceFilter> {
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
        page: 1,
    })
}

pub async fn export_csv(
    State(state): State<ServerState>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    let who = match actor(&state, &headers, Surface::Admin).await {
        Ok(Some(a)) if a.modules.contains(Module::Certifications) => a,
        Ok(Some(_)) => return error_response(&AppError::Forbidden(Msg::ErrNoModule), &headers),
        Ok(None) => return error_response(&AppError::Unauthorized, &headers),
        Err(e) => return error_response(&e, &headers),
    };
    let Some(filter) = parse(&p) else {
        return error_response(&AppError::BadRequest, &headers);
    };
    let view = match app::compliance::service::build(&state.app, &who.user, &filter, false).await {
        Ok(v) => v,
        Err(e) => return error_response(&e, &headers),
    };
    let lang = Lang::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()));
    let mut resp = app::compliance::service::csv_of(&view, lang).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"compliance.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
