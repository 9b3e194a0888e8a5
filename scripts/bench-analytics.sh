#!/usr/bin/env bash
# Benchmark of the analytics: the dashboard and a certification's statistics over USERS
# employees and 10 attempts each (100,000 and 1,000,000 by default), server time p50/p99
# beside a `SELECT 1` baseline, on SQLite and then on a throwaway PostgreSQL cluster.
# `scripts/bench-analytics.sh [users] [sqlite|postgres|both]`
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
which=${2:-both}
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest cargo build --release -p server --bin analytics_bench --features bench
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bench="$TARGET_DIR/release/analytics_bench"
if [[ $which != postgres ]]; then
  "$bench" --users "$users"
fi
if [[ $which != sqlite ]]; then
  pg=$(scripts/pg.sh start)
  trap 'scripts/pg.sh stop' EXIT
  db="analytics_bench_$RANDOM"
  psql -q "$pg" -c "CREATE DATABASE $db"
  "$bench" --users "$users" --database-url "${pg%/*}/$db"
fi
