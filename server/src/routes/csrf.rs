//! Session cookies are `SameSite=None` (Telegram shows the Mini App in an iframe), so state
//! changing requests from other sites are refused by their `Origin` / `Sec-Fetch-Site`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_writes(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
        .map(|o| o.split_once("://").map_or(o, |(_, rest)| rest));
    let foreign_origin = matches!((origin_host, host), (Some(o), Some(h)) if o != h);
    if cross_site || foreign_origin {
        tracing::warn!(path = %req.uri().path(), ?origin_host, ?host, "cross-site write refused");
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(req).await
}
