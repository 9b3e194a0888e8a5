#!/usr/bin/env bash
# Benchmark of the Telegram sender: 10,000 notifications through a fake Bot API that enforces
# Telegram's limits; prints the time beside the physical minimum at the rate, 429s, lost and
# duplicate messages, and the server's CPU. `scripts/bench-notify.sh [messages] [chats] [rate]`
# (on SQLite; pass `postgres` first to run on a throwaway PostgreSQL cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=sqlite
if [[ "${1:-}" == postgres ]]; then backend=postgres; shift; fi
messages=${1:-10000}
chats=${2:-2000}
rate=${3:-25}
RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest cargo build --release -p server --bins --features bench
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
extra=()
if [[ "$backend" == postgres ]]; then
  pg=$(scripts/pg.sh start)
  trap 'scripts/pg.sh stop' EXIT
  psql -q "$pg" -c "CREATE DATABASE bench"
  extra=(--database-url "${pg%/*}/bench")
fi
"$TARGET_DIR/release/notify_bench" --server-bin "$TARGET_DIR/release/server" \
  --messages "$messages" --chats "$chats" --rate "$rate" "${extra[@]}"
