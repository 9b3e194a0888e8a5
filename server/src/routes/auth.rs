//! The public, stable sign-in contract of the Mini App:
//! `POST /auth/telegram {"init_data": "…"}` → 200 + session cookie, or 401 with a JSON error;
//! `GET /auth/me` → the signed-in user as JSON, or 401.

use super::error_response;
use crate::server_state::ServerState;
use app::auth::{Surface, cookie, service};
use app::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

#[derive(Deserialize)]
pub struct TelegramSignIn {
    init_data: String,
}

pub async fn telegram(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<TelegramSignIn>, JsonRejection>,
) -> Response {
    let Ok(Json(body)) = body else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "bad_request", "message": "expected JSON {\"init_data\": \"…\"}" })),
        )
            .into_response();
    };
    let origin = app::auth::guard::origin_of(
        &headers,
        Some(peer),
        "miniapp",
        &state.app.config.trusted_proxies,
    );
    let existing = cookie::token_from_headers(&headers, Surface::MiniApp);
    match service::sign_in_telegram(&state.app, &body.init_data, existing.as_deref(), &origin).await
    {
        Ok((user, session)) => {
            let set_cookie = cookie::session_cookie(
                Surface::MiniApp,
                &session.token,
                session.max_age_secs,
                state.app.config.secure_cookies,
            );
            ([(header::SET_COOKIE, set_cookie)], Json(user)).into_response()
        }
        Err(e) => error_response(&e, &headers),
    }
}

pub async fn me(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let actor = match cookie::token_from_headers(&headers, Surface::MiniApp) {
        Some(token) => service::resolve(&state.app, Surface::MiniApp, &token).await,
        None => Ok(None),
    };
    match actor {
        Ok(Some(actor)) => Json(actor.user).into_response(),
        Ok(None) => error_response(&AppError::Unauthorized, &headers),
        Err(e) => error_response(&e, &headers),
    }
}
