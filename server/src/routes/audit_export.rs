//! `GET /admin/audit/export.csv?<filter>`: the audit log's filtered entries as CSV (module
//! "audit log"), streamed chunk by chunk, newest first, with the page's filter parameters.

use super::{actor, error_response};
use crate::server_state::ServerState;
use app::audit::AuditFilter;
use app::audit::export;
use app::auth::Surface;
use app::domain::AuditId;
use app::domain::permissions::Module;
use app::error::AppError;
use app::i18n::Lang;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

enum Next {
    Header,
    Chunk(Option<AuditId>),
    Done,
}

pub async fn export_csv(
    State(state): State<ServerState>,
    headers: HeaderMap,
    filter: Result<Query<AuditFilter>, QueryRejection>,
) -> Response {
    let scope = match actor(&state, &headers, Surface::Admin).await {
        Ok(Some(a)) if a.modules.contains(Module::AuditLog) => a.scope,
        Ok(Some(_)) => {
            return error_response(&AppError::Forbidden(app::i18n::Msg::ErrNoModule), &headers);
        }
        Ok(None) => return error_response(&AppError::Unauthorized, &headers),
        Err(e) => return error_response(&e, &headers),
    };
    let Ok(Query(filter)) = filter else {
        return error_response(&AppError::BadRequest, &headers);
    };
    let filter = filter.normalized();
    let lang = Lang::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()));
    let app = state.app.clone();
    let body = futures::stream::unfold(Next::Header, move |next| {
        let (app, filter, scope) = (app.clone(), filter.clone(), scope.clone());
        async move {
            match next {
                Next::Header => Some((Ok(Bytes::from(export::header(lang))), Next::Chunk(None))),
                Next::Chunk(before) => {
                    match export::chunk(&app, &filter, &scope, before, lang).await {
                        Ok((text, Some(more))) => {
                            Some((Ok(Bytes::from(text)), Next::Chunk(Some(more))))
                        }
                        Ok((text, None)) => Some((Ok(Bytes::from(text)), Next::Done)),
                        Err(e) => {
                            // The status is sent already: the download ends short and the log says why.
                            tracing::error!(error = %e, "audit export failed mid-way");
                            Some((Err(std::io::Error::other(e.to_string())), Next::Done))
                        }
                    }
                }
                Next::Done => None,
            }
        }
    });
    // Fused: a body layer (compression) may poll once more after the end.
    let mut resp = Body::from_stream(futures::StreamExt::fuse(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit.csv\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}
