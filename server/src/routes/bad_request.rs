//! Server functions decode their arguments before their body runs, and the framework answers a
//! decoding failure (a missing, malformed or out-of-range argument) with 500. Such an answer
//! carries [`AppError::BadRequest`]: this layer gives it its real status, 400, so a malformed
//! request is never reported as a server error.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies of server functions are small JSON values.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn decode_errors_are_400(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(AppError::BadRequest) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
