#!/usr/bin/env bash
# Fuzzes the REST API with schemathesis (PyPI) from the served OpenAPI document: the debug
# server on SQLite with demo data on a free port, a key with every scope; fails on any 5xx, any
# answer whose status, content type, headers or body break the document, schema-invalid input
# that is accepted, and routes that answer without the key. Not checked: schema-valid input
# refused (business rules go beyond the schema: a closed certification, a taken name) and the
# stateful checks. The number of examples per operation bounds the run (CI passes a small one).
#   scripts/fuzz-api.sh [EXAMPLES]      (default 25)
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-25}
venv=target/schemathesis-venv
if [[ ! -x $venv/bin/schemathesis ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'schemathesis==4.32.5'
fi
bin=${E2E_SERVER_BIN:-target/debug/server}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite://$dir/fuzz.db" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site BOT_MODE=off TELEGRAM_BOT_TOKEN=7000000001:fuzz RUST_LOG=error \
  DEMO_ADMIN_PASSWORD=fuzz-Admin-password-1 DEMO_MANAGER_PASSWORD=fuzz-Manager-password-1
"$bin" --demo >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
key=$("$bin" api-key create --name fuzz --rate-per-sec 10000 --burst 10000 \
  --scopes users:write,dictionaries:write,achievements:write,certifications:write,admin |
  grep -o 'at_live_[0-9a-f]*' | head -n1)
status=0
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks all --exclude-checks positive_data_acceptance,use_after_free,ensure_resource_availability,object_level_authorization \
  --max-examples "$examples" --seed 20261202 --workers 2 \
  --phases examples,coverage,fuzzing --request-timeout 10 \
  --suppress-health-check all --warnings off || status=$?
if grep -q "panicked" "$dir/server.log"; then
  echo "the server panicked during fuzzing:" >&2
  grep -A5 "panicked" "$dir/server.log" >&2
  exit 1
fi
exit $status
