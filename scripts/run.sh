#!/usr/bin/env bash
# Installs what is missing, builds the app and runs it on SQLite with demo data
# (employees, a manager and an admin; the passwords are printed). Stop with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
cargo leptos build --split
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec "$TARGET_DIR/debug/server" --demo "$@"
