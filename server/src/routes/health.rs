use crate::server_state::ServerState;
use axum::extract::State;
use axum::http::StatusCode;

/// 200 when the process is up and the database answers.
pub async fn healthz(State(state): State<ServerState>) -> (StatusCode, &'static str) {
    match state.app.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
