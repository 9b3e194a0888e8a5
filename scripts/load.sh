#!/usr/bin/env bash
# Load test: builds the release server and the load generator, starts the server on a fresh
# database (sqlite or postgres), and simulates N employees starting the same certification at
# once and answering with think time. Prints requests/s and latencies per step.
#   scripts/load.sh [sqlite|postgres] [users] [think ms] [extra loadgen flags, e.g. --rounds 5]
# With LOAD_BIN=dir, the server and loadgen are taken from dir (a build kept aside to compare
# with) instead of building them. With FLAMEGRAPH=out.svg, perf samples the server during the run (cpu-clock, call graphs
# unwound from .eh_frame) and inferno (installed on first use) draws the flame graph.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
users=${2:-1000}
think=${3:-500}
shift $(( $# < 3 ? $# : 3 ))
token="1000000001:load-test-token"
password="Load-test-password-1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The same flags cargo-leptos uses (the page types are too deep to compile without
# erase_components; the output name is read at compile time).
if [[ -n "${LOAD_BIN:-}" ]]; then
  bin="$LOAD_BIN"
else
  RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest cargo build --release -p server --bins --features bench
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$TARGET_DIR/release"
fi

if [[ "$backend" == postgres ]]; then
  pg=$(scripts/pg.sh start)
  trap 'scripts/pg.sh stop' EXIT
  psql -q "$pg" -c "CREATE DATABASE load"
  db="${pg%/*}/load"
else
  dir=$(mktemp -d)
  db="sqlite://$dir/load.db"
fi

export DATABASE_URL="$db" TELEGRAM_BOT_TOKEN="$token" BOT_MODE=off LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_ENV=PROD RUST_LOG=warn DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32}
echo "$password" | "$bin/server" admin create --login loadadmin --password-stdin >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
"$bin/server" &
server=$!
trap 'kill $server 2>/dev/null; [[ "$backend" == postgres ]] && scripts/pg.sh stop' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
if [[ -n "${FLAMEGRAPH:-}" ]]; then
  command -v inferno-flamegraph >/dev/null || cargo install inferno --locked
  perf record -q -e cpu-clock -F 99 --call-graph dwarf,16384 -o "$FLAMEGRAPH.perf" -p "$server" &
  perf=$!
fi
status=0
"$bin/loadgen" --base-url "http://127.0.0.1:$port" --admin-login loadadmin --admin-password "$password" \
  --bot-token "$token" --database-url "$db" --users "$users" --think-ms "$think" "$@" || status=$?
# The server's CPU for the whole run (user + system): the same run's cost, less noisy than a
# latency on a machine whose speed drifts.
read -r utime stime < <(awk '{print $14, $15}' "/proc/$server/stat")
echo "server CPU: $(( (utime + stime) / $(getconf CLK_TCK) )) s (user $(( utime / $(getconf CLK_TCK) )) s, system $(( stime / $(getconf CLK_TCK) )) s)"
# Its memory: resident now and at the peak (the allocator's choices show here).
echo "server memory: $(awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "RSS %d MB, peak %d MB", r/1024, h/1024}' "/proc/$server/status")"
if [[ -n "${FLAMEGRAPH:-}" ]]; then
  kill -INT "$perf"; wait "$perf" || true
  perf script -i "$FLAMEGRAPH.perf" 2>/dev/null | inferno-collapse-perf | inferno-flamegraph --minwidth 0.2 \
    --title "server under scripts/load.sh $backend $users $think $*" > "$FLAMEGRAPH"
  rm -f "$FLAMEGRAPH.perf"
  echo "flame graph: $FLAMEGRAPH"
fi
exit $status
