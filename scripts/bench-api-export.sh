#!/usr/bin/env bash
# Benchmark: a full export of people through the REST API, the way an HR sync pages it
# (`GET /api/v1/users?limit=500`, following `next_cursor`), beside a baseline from the same
# run (the plain `/healthz` endpoint, as many requests). Seeds USERS people through the bulk
# endpoint first. Prints figures; asserts nothing.
#   scripts/bench-api-export.sh [USERS] [PAGE]          (defaults 100000 500)
#   DATABASE_URL=postgres://… scripts/bench-api-export.sh   (PostgreSQL; default SQLite)
#   SEED=0 … : the database has the people already (a second run on the same DATABASE_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
page=${2:-500}
bin=${E2E_SERVER_BIN:-target/debug/server}
if [[ ! -x $bin ]]; then
  cargo build -q -p server --bin server
fi
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL=${DATABASE_URL:-"sqlite://$dir/bench.db"} LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site BOT_MODE=off TELEGRAM_BOT_TOKEN=7000000001:bench RUST_LOG=error
"$bin" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
key=$("$bin" api-key create --name bench --rate-per-sec 10000 --burst 10000 \
  --scopes users:write,admin | grep -o 'at_live_[0-9a-f]*' | head -n1)
python3 - "$port" "$key" "$users" "$page" "${DATABASE_URL%%:*}" "${SEED:-1}" <<'PY'
import json, sys, time, urllib.request
port, key, users, page, backend = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
seed = sys.argv[6] != "0"
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")
t0 = time.perf_counter()
for start in range(0, users if seed else 0, 1000):
    rows = [{"external_id": f"B{n}", "telegram_id": 900_000_000 + n, "first_name": f"Имя{n}",
             "last_name": "Тестов"} for n in range(start, min(users, start + 1000))]
    call("POST", "/api/v1/users/bulk", {"users": rows})
seeded = time.perf_counter() - t0
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000
times, seen, cursor = [], 0, None
t0 = time.perf_counter()
while True:
    q = f"/api/v1/users?limit={page}" + (f"&cursor={cursor}" if cursor else "")
    s = time.perf_counter(); r = call("GET", q); times.append(time.perf_counter() - s)
    seen += len(r["items"]); cursor = r["next_cursor"]
    if not r["has_more"]:
        break
export = time.perf_counter() - t0
base_times = []
for _ in range(len(times)):
    s = time.perf_counter()
    urllib.request.urlopen(base + "/healthz", timeout=30).read()
    base_times.append(time.perf_counter() - s)
print(f"backend {backend}: {users} people" + (f" seeded through /users/bulk in {seeded:.1f} s" if seed else " (seeded before)"))
print(f"{'':24}{'requests':>9}{'total s':>9}{'p50 ms':>9}{'p99 ms':>9}")
print(f"{'export, ' + str(page) + ' a page':24}{len(times):>9}{export:>9.2f}{pct(times, .5):>9.1f}{pct(times, .99):>9.1f}")
print(f"{'baseline /healthz':24}{len(base_times):>9}{sum(base_times):>9.2f}{pct(base_times, .5):>9.1f}{pct(base_times, .99):>9.1f}")
print(f"people exported: {seen} (every person once at least: {seen >= users})")
PY
