#!/usr/bin/env bash
# Installs what the tests need and runs every test: formatting, unit tests, integration tests
# on SQLite and on a throwaway PostgreSQL cluster, and the browser tests (Debian's Chromium
# driven by Playwright) on SQLite and on PostgreSQL. Clippy is `scripts/lint.sh`: its check
# build of the whole graph (twice: server and wasm) would take half of a 2-core CI run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1;34m==> %s\033[0m (%ss)\n' "$*" "$SECONDS"; }

step "Chromium, nginx and Playwright"
# nginx fronts two server instances in the several-instances test (server/tests/api/instances.rs).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if (( ${#missing[@]} )); then
  sudo_if() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
  sudo_if apt-get update -qq
  sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
(cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

step "build tools"
scripts/install-tools.sh

# cargo-leptos builds the server with RUSTFLAGS="--cfg erase_components" and LEPTOS_OUTPUT_NAME
# set (read at compile time by leptos). The other cargo commands get exactly the same, so the
# tests reuse the build's artifacts instead of compiling the world a second time. (Not exported:
# cargo-leptos would append its flag to an inherited RUSTFLAGS and the flags would differ.)
like_leptos() { RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest "$@"; }

step "format and layers"
cargo fmt --all -- --check
scripts/check-layers.sh

step "PostgreSQL"
TEST_POSTGRES_URL=$(scripts/pg.sh start)
export TEST_POSTGRES_URL
trap 'scripts/pg.sh stop' EXIT

step "build (cargo leptos build --split)"
cargo leptos build --split

step "unit and integration tests (SQLite and PostgreSQL)"
like_leptos cargo test -p app -p server --features app/ssr

# The browser tests also run the fake Telegram Bot API (built with the tests above; built
# again here only if missing).
like_leptos cargo build -q -p server --bin fake_telegram
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export E2E_SERVER_BIN="$TARGET_DIR/debug/server"

step "REST API fuzzing (schemathesis from the served OpenAPI, bounded)"
scripts/fuzz-api.sh 10

# Two ports the kernel says are free now (a random pick can land on a port in use).
free_ports() {
  python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
}

step "browser tests on SQLite"
read -r E2E_PORT E2E_FAKE_TG_PORT < <(free_ports)
(cd end2end && E2E_PORT=$E2E_PORT E2E_FAKE_TG_PORT=$E2E_FAKE_TG_PORT npx playwright test)

step "browser tests on PostgreSQL"
db="e2e_$RANDOM$RANDOM"
psql -q "$TEST_POSTGRES_URL" -c "CREATE DATABASE $db"
read -r E2E_PORT E2E_FAKE_TG_PORT < <(free_ports)
(cd end2end && E2E_PORT=$E2E_PORT E2E_FAKE_TG_PORT=$E2E_FAKE_TG_PORT \
  E2E_DATABASE_URL="${TEST_POSTGRES_URL%/*}/$db" npx playwright test)

step "all tests passed"
