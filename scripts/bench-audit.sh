#!/usr/bin/env bash
# Benchmark of the audit log: the admin list's queries over a large log (p50/p99 beside a
# `SELECT 1` baseline) and the time to post a burst into a Telegram group at 20 messages a
# minute (through a fake Bot API with Telegram's limits).
# `scripts/bench-audit.sh [rows] [burst]` on SQLite; pass `postgres` first for a throwaway
# PostgreSQL cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=sqlite
if [[ "${1:-}" == postgres ]]; then backend=postgres; shift; fi
rows=${1:-1000000}
burst=${2:-1000}
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest cargo build --release -p server --bins --features bench
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
extra=()
if [[ "$backend" == postgres ]]; then
  pg=$(scripts/pg.sh start)
  trap 'scripts/pg.sh stop' EXIT
  psql -q "$pg" -c "CREATE DATABASE audit_bench"
  extra=(--database-url "${pg%/*}/audit_bench")
fi
"$TARGET_DIR/release/audit_bench" --server-bin "$TARGET_DIR/release/server" \
  --rows "$rows" --burst "$burst" "${extra[@]}"
