//! The state the HTTP routes share, apart from the startup that builds it (so the routes do
//! not depend on how the server starts).

use app::state::AppState;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// State of the axum router: Leptos' options and the application state.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub uploads_dir: std::path::PathBuf,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}
