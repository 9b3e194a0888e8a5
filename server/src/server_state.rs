//! The state the HTTP routes share, apart from the startup that builds it (so the routes do
//! not depend on how the server starts).

use app::state::AppState;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// State of the axum router: Leptos' options and the application state, shared (each request
/// clones it: one reference count, not a copy of the options' strings and the path).
#[derive(Clone)]
pub struct ServerState(std::sync::Arc<ServerStateInner>);

impl ServerState {
    pub fn new(inner: ServerStateInner) -> Self {
        Self(std::sync::Arc::new(inner))
    }
}

impl std::ops::Deref for ServerState {
    type Target = ServerStateInner;
    fn deref(&self) -> &ServerStateInner {
        &self.0
    }
}

pub struct ServerStateInner {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub uploads_dir: std::path::PathBuf,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(s: &ServerState) -> Self {
        s.leptos.clone()
    }
}
