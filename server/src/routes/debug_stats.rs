//! `GET /debug/write-stats[?reset=true]`: the write transactions' waits, holds and storage
//! calls since the last reset, as JSON. Only in the load test's build (`--features bench`),
//! so a production server never exposes it.

use axum::Json;
use axum::extract::Query;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Params {
    #[serde(default)]
    reset: bool,
}

pub async fn write_stats(Query(p): Query<Params>) -> Json<app::storage::write_stats::WriteStats> {
    Json(app::storage::write_stats::snapshot(p.reset))
}
