#!/usr/bin/env bash
# Bytes on the wire and time to interactive of a Mini App theory page and the admin sign-in
# page, first load and repeat visit, on Chromium throttled to 1.6 Mbit/s and 150 ms (the
# profile of issue 13). Uses the release build when there is one (scripts/release.sh: hashed,
# precompressed assets), else the debug build; pass `debug` or `release` to choose.
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-}"
if [[ -z "$profile" ]]; then
  if [[ -x target/release/server && -f target/release/hash.txt ]]; then profile=release; else profile=debug; fi
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export E2E_SERVER_BIN="$PWD/target/$profile/server" E2E_PORT="$(free_port)" E2E_FAKE_TG_PORT="$(free_port)"
[[ -x "$(dirname "$E2E_SERVER_BIN")/fake_telegram" ]] || cp target/debug/fake_telegram "$(dirname "$E2E_SERVER_BIN")/"
echo "server: $E2E_SERVER_BIN"
ls -l target/site/pkg | grep -v ' split_' | awk 'NR>1 {printf "  %-60s %9d bytes\n", $9, $5}'
echo "  and $(ls target/site/pkg | grep -c '^split_.*\.wasm$') lazy chunks"

# The same pages through nginx over TLS and HTTP/2, as docs/DEPLOY.md serves them: one
# connection carries every request, where HTTP/1.1 gives the browser six.
work=$(mktemp -d)
trap 'kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
h2_port="$(free_port)"
cat > "$work/nginx.conf" <<EOF
master_process off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  server {
    listen 127.0.0.1:$h2_port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    location / {
      proxy_pass http://127.0.0.1:$E2E_PORT;
      proxy_http_version 1.1;
      proxy_set_header Host \$http_host;
    }
  }
}
EOF
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" 2>/dev/null
export BENCH_H2_URL="https://127.0.0.1:$h2_port"
BENCH_SPKI="$(openssl x509 -pubkey -noout -in "$work/cert.pem" | openssl pkey -pubin -outform der |
  openssl dgst -sha256 -binary | base64)"
export BENCH_SPKI
cd end2end && npx playwright test -c bench.config.ts --reporter=line 2>&1 | grep -E "KB on the wire|passed|failed|Error"
