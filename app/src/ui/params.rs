//! Route parameters as the pages read them.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// A query-string value, percent-encoded (what an export link carries).
pub fn query_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A numeric route parameter (`None` when missing or not a number), as a reactive getter.
pub fn param_i64(name: &'static str) -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get(name).and_then(|s| s.parse().ok())
}
