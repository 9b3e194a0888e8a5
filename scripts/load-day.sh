#!/usr/bin/env bash
# A working day under load: USERS employees arrive at random moments within ARRIVE seconds and
# each reads the theory, takes the test (10 questions) with THINK ms ±50 % between answers and a
# heartbeat every 4 s, and finishes; INSTANCES (2 by default) server instances on one
# PostgreSQL behind nginx.
# Prints each step's p50/p95/p99, each p99 as a ratio to /healthz's p99 asked every 100 ms
# under the same load, the errors (the goal: none), and each instance's resident memory
# (peak and at the end). The day is compressed: a real day's 30–90 s think time is scaled
# down (THINK = 60,000 × scale); the script prints what it ran.
#   scripts/load-day.sh [users] [arrive seconds] [think ms] [extra loadgen flags]
# With LOAD_BIN=dir, the server and loadgen are taken from dir instead of building them.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-50000}
arrive=${2:-300}
think=${3:-6000}
shift $(( $# < 3 ? $# : 3 ))
token="1000000001:load-test-token"
password="Load-test-password-1"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [[ -n "${LOAD_BIN:-}" ]]; then
  bin="$LOAD_BIN"
else
  RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=attest cargo build --release -p server --bins --features bench
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$TARGET_DIR/release"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  scripts/pg.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
pg=$(scripts/pg.sh start)
psql -q "$pg" -c "CREATE DATABASE load"
db="${pg%/*}/load"

front=$(free_port)
instances=${INSTANCES:-2}
ports=()
for _ in $(seq "$instances"); do ports+=("$(free_port)"); done
export DATABASE_URL="$db" TELEGRAM_BOT_TOKEN="$token" BOT_MODE=off LEPTOS_ENV=PROD RUST_LOG=warn \
  DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-16} PUBLIC_URL="http://127.0.0.1:$front" \
  TRUSTED_PROXIES=127.0.0.1
echo "$password" | "$bin/server" admin create --login loadadmin --password-stdin >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for port in "${ports[@]}"; do
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$bin/server" &
  pids+=($!)
done
for port in "${ports[@]}"; do
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
done

# As in docs/DEPLOY.md: no retry of a POST that reached an instance.
cat > "$work/nginx.conf" <<EOF
master_process off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections $(( $(ulimit -n) / 2 )); }
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  keepalive_requests 100000;
  client_max_body_size 64m;
  upstream attest {
$(for port in "${ports[@]}"; do echo "    server 127.0.0.1:$port;"; done)
    keepalive 256;
  }
  server {
    listen 127.0.0.1:$front backlog=65535;
    location / {
      proxy_pass http://attest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
    }
  }
}
EOF
"$nginx_bin" -p "$work" -c "$work/nginx.conf" &
until curl -sf "http://127.0.0.1:$front/healthz" >/dev/null; do sleep 0.2; done

# Each instance's resident memory, sampled every second: the peak and the last.
rss_of() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
(
  declare -A peak
  while true; do
    line=""
    for p in "${pids[@]}"; do
      r=$(rss_of "$p"); (( r > ${peak[$p]:-0} )) && peak[$p]=$r
      line+="$p ${peak[$p]:-0} $r "
    done
    echo "$line" > "$work/rss"
    sleep 1
  done
) &
sampler=$!

echo "working day: $users employees arriving within ${arrive} s, think ${think} ms ±50 % (a real day's 60 s × $(python3 -c "print(round($think/60000, 3))")), $instances instance(s) behind nginx, PostgreSQL, ${DATABASE_MAX_CONNECTIONS} connections per pool"
status=0
"$bin/loadgen" --base-url "http://127.0.0.1:$front" --admin-login loadadmin --admin-password "$password" \
  --bot-token "$token" --database-url "$db" --users "$users" --think-ms "$think" \
  --arrive-secs "$arrive" --ceiling-secs 0 "$@" || status=$?
kill "$sampler" 2>/dev/null || true
read -r -a rss < "$work/rss"
for i in $(seq 0 $(( instances - 1 ))); do
  echo "instance $((i + 1)) resident memory: peak $(( rss[i * 3 + 1] / 1024 )) MB, at the end $(( rss[i * 3 + 2] / 1024 )) MB"
done
exit $status
