//! Plain HTTP routes beside the Leptos pages and server functions.

pub mod assets;
pub mod audit_export;
pub mod auth;
pub mod bad_request;
pub mod conditional;
pub mod csrf;
#[cfg(feature = "bench")]
pub mod debug_stats;
pub mod exports;
pub mod health;
pub mod imports;
pub mod miniapp_entry;
pub mod texts;
pub mod uploads;

use crate::server_state::ServerState;
use app::auth::service::resolve;
use app::auth::{Surface, cookie};
use app::domain::actor::Actor;
use app::error::AppError;
use app::i18n::Lang;
use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error as JSON: `{"error": code, "message": translated text}` with its HTTP status.
pub fn error_response(e: &AppError, headers: &HeaderMap) -> Response {
    let lang = Lang::from_cookie_header(headers.get(header::COOKIE).and_then(|v| v.to_str().ok()));
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        Json(json!({ "error": e.code(), "message": e.message(lang) })),
    )
        .into_response()
}

/// Who the session cookie of the surface belongs to, if anyone.
pub async fn actor(
    state: &ServerState,
    headers: &HeaderMap,
    surface: Surface,
) -> Result<Option<Actor>, AppError> {
    match cookie::token_from_headers(headers, surface) {
        Some(token) => resolve(&state.app, surface, &token).await,
        None => Ok(None),
    }
}
