#!/usr/bin/env bash
# Formatting and Clippy with warnings as errors, for the server (all targets) and the browser
# bundle, and the layering check. Run before pushing; CI runs the formatting and layering
# checks only (see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
like_leptos() { RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest "$@"; }
cargo fmt --all -- --check
scripts/check-layers.sh
like_leptos cargo clippy -p app -p server --features app/ssr,server/bench --all-targets -- -D warnings
like_leptos cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
