#!/usr/bin/env bash
# Installs the build tools the app needs, each only if missing or at the wrong version:
# the wasm32 target, cargo-leptos 0.3.10 and wasm-bindgen-cli 0.2.130 (matching the pinned
# wasm-bindgen crate). Everything comes from crates.io; nothing is downloaded from elsewhere.
set -euo pipefail

LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

# The tools are installed with a quick release profile: their own (fat LTO, one codegen unit)
# takes most of a 2-core CI run for a few percent of speed nobody notices in a build tool.
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true

log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(cargo leptos --version 2>/dev/null || true)" != *"$LEPTOS_VERSION"* ]]; then
  log "installing cargo-leptos $LEPTOS_VERSION (takes a few minutes once)"
  cargo install cargo-leptos --version "$LEPTOS_VERSION" --locked
fi

if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != *"$WASM_BINDGEN_VERSION"* ]]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Its lock file pins a webpki-roots release that crates.io no longer serves: take the crate
  # source from the registry, move that one pin, and install from the source.
  src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm-bindgen-cli-"$WASM_BINDGEN_VERSION" 2>/dev/null | head -n1 || true)
  if [[ -z "$src" ]]; then
    # Fetching the crate into the registry is all this first attempt is for.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked >/dev/null 2>&1 || true
    src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasm-bindgen-cli-"$WASM_BINDGEN_VERSION" | head -n1)
  fi
  work=$(mktemp -d)
  cp -r "$src" "$work/wasm-bindgen-cli"
  (cd "$work/wasm-bindgen-cli" && cargo update -p webpki-roots --precise 1.0.10 && cargo install --path . --locked)
  rm -rf "$work"
fi
log "build tools ready: $(cargo leptos --version), $(wasm-bindgen --version)"
