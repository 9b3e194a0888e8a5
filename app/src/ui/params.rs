//! Route parameters as the pages read them.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A numeric route parameter (`None` when missing or not a number), as a reactive getter.
pub fn param_i64(name: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).and_then(|s| s.parse().ok())
}
