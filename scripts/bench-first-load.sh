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
ls -l target/site/pkg | awk 'NR>1 {printf "  %-48s %9d bytes\n", $9, $5}'
cd end2end && npx playwright test -c bench.config.ts --reporter=line 2>&1 | grep -E "KB on the wire|passed|failed|Error"
