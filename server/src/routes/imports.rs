//! File imports (questions, users) are sent to their server functions as JSON and may be up to
//! `MAX_IMPORT_BYTES` (5 MB) of text, over the default 2 MB request limit. Their routes get a
//! larger one, so an oversized file reaches the service and gets its clear "too large" error
//! instead of failing as a network error.

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};

const IMPORT_ROUTES: &[&str] = &["/api/questions/import", "/api/users/import"];

/// A 5 MB file, escaped into a JSON string, with room to spare.
pub const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

pub async fn larger_body_limit(req: Request<Body>, next: Next) -> Response {
    if !IMPORT_ROUTES.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    match DefaultBodyLimit::max(IMPORT_BODY_LIMIT)
        .layer(next)
        .oneshot(req)
        .await
    {
        Ok(res) => res,
        Err(never) => match never {},
    }
}
