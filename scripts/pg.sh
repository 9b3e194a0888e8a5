#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: `scripts/pg.sh start` prints its URL,
# `scripts/pg.sh stop` stops it and deletes it, keeping its log as target/pg-last.log (lock waits
# over a second and deadlocks are logged with the statements involved). The server runs as user postgres (never as
# root), with fsync off, on a free port, its data under target/pg.
set -euo pipefail

cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
DIR="$PWD/target/pg"
DATA="$DIR/data"

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    [[ -x "$PGBIN/initdb" ]] || { echo "PostgreSQL binaries not found (apt-get install postgresql)" >&2; exit 1; }
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres "$DIR"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_pg "$PGBIN/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w -t 30 \
      -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c log_lock_waits=on" \
      start >/dev/null
    echo "$port" > "$DIR/port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [[ -d "$DATA" ]]; then
      as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    [[ -f "$DIR/server.log" ]] && cp "$DIR/server.log" "$PWD/target/pg-last.log"
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
