#!/usr/bin/env bash
# MongoDB wire-protocol server on 127.0.0.1: mongod if it is on PATH, else FerretDB v1 (SQLite backend).
# Usage: tools/infra/mongo.sh install|start|stop|status
set -euo pipefail
WK_NAME=mongo
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
MONGO_PORT="${MONGO_PORT:-27017}"
FERRETDB_BIN="$WK_CACHE/bin/ferretdb-$FERRETDB_VERSION"
M_RUN="$WK_RUN/mongo"
M_PID="$M_RUN/mongo.pid"
M_LOG="$M_RUN/mongo.log"

external() {
  if wk_external mongo MONGO_URL; then
    wk_info "MONGO_URL is set ($MONGO_URL): using that server, nothing to $1"
    return 0
  fi
  return 1
}

engine() { if command -v mongod >/dev/null 2>&1; then echo mongod; else echo ferretdb; fi; }

# `go install …@v1.24.2` builds a binary that panics at start: the module zip
# lacks the generated build/version/version.txt. So: copy the module source
# from the Go module cache, write version.txt, go build.
build_ferretdb() {
  command -v go >/dev/null 2>&1 || wk_die "go is needed to build FerretDB (expected in /usr/local/go/bin)"
  local src="$WK_CACHE/src/ferretdb-$FERRETDB_VERSION" dir
  wk_info "building FerretDB $FERRETDB_VERSION with $(go version | cut -d' ' -f3) (first time: a few minutes on 2 cores)"
  dir="$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [ -n "$dir" ] && [ -d "$dir" ] || wk_die "go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION failed"
  rm -rf "$src"
  mkdir -p "$WK_CACHE/src" "$WK_CACHE/bin"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  (cd "$src" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) \
    || wk_die "go build of FerretDB failed"
  "$FERRETDB_BIN.tmp" --version >/dev/null || wk_die "built FerretDB binary does not run"
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$src"
  wk_info "FerretDB $FERRETDB_VERSION installed at $FERRETDB_BIN"
}

do_install() {
  wk_lock_cache mongo
  if [ "$(engine)" = mongod ]; then
    wk_info "using mongod from PATH ($(command -v mongod)); nothing to install"
    return 0
  fi
  if [ -x "$FERRETDB_BIN" ]; then
    wk_info "FerretDB $FERRETDB_VERSION already installed at $FERRETDB_BIN"
    return 0
  fi
  build_ferretdb
}

is_running() { wk_pid_alive "$M_PID" "$(engine)"; }

wire_ready() {
  if command -v node >/dev/null 2>&1; then
    node "$WK_INFRA_DIR/mongo-ping.cjs" "$WK_HOST" "$MONGO_PORT" 2>/dev/null
  else
    wk_port_open "$WK_HOST" "$MONGO_PORT"
  fi
}

do_start() {
  external start && return 0
  wk_lock_run mongo
  do_install
  mkdir -p "$M_RUN"
  if is_running; then
    if wire_ready; then
      wk_info "already running (pid $(wk_pid_read "$M_PID")) on $WK_HOST:$MONGO_PORT"
      return 0
    fi
    # Alive but not answering ping: a wedged server (FerretDB 1.24's SQLite registry can deadlock under
    # heavy concurrent DDL and writes). Nothing else would ever recover it, so restart it.
    wk_info "running (pid $(wk_pid_read "$M_PID")) but not answering ping; restarting it"
    wk_stop_pid "$M_PID" "$(engine)" 30 "$(engine)"
  fi
  wk_pid_clean "$M_PID" "$(engine)"
  wk_port_free_or_die "$WK_HOST" "$MONGO_PORT" mongo
  if [ "$(engine)" = mongod ]; then
    mkdir -p "$M_RUN/mongod-data"
    wk_info "starting mongod on $WK_HOST:$MONGO_PORT (log: $M_LOG)"
    wk_start_bg "$M_PID" "$M_LOG" mongod --dbpath "$M_RUN/mongod-data" --bind_ip "$WK_HOST" --port "$MONGO_PORT" --quiet
  else
    mkdir -p "$WK_RUN/ferretdb" "$WK_RUN/ferretdb-state"
    wk_info "starting FerretDB $FERRETDB_VERSION (sqlite in $WK_RUN/ferretdb) on $WK_HOST:$MONGO_PORT (log: $M_LOG)"
    wk_start_bg "$M_PID" "$M_LOG" "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$WK_RUN/ferretdb/" \
      --listen-addr="$WK_HOST:$MONGO_PORT" --state-dir="$WK_RUN/ferretdb-state" \
      --debug-addr=- --telemetry=disable --log-level=warn
  fi
  local rc=0 i=0
  wk_wait_port "$WK_HOST" "$MONGO_PORT" 60 "$M_PID" || rc=$?
  if [ "$rc" = 0 ]; then
    until wire_ready; do
      i=$((i + 1))
      if [ "$i" -ge 40 ] || ! is_running; then rc=4; break; fi
      sleep 0.25
    done
  fi
  if [ "$rc" != 0 ]; then
    tail -30 "$M_LOG" >&2 || true
    do_stop >/dev/null 2>&1 || true
    wk_die "$(engine) did not answer on $WK_HOST:$MONGO_PORT (rc=$rc)"
  fi
  wk_info "ready: mongodb://$WK_HOST:$MONGO_PORT ($(engine), pid $(wk_pid_read "$M_PID"))"
}

do_stop() {
  external stop && return 0
  wk_lock_run mongo
  wk_stop_pid "$M_PID" "$(engine)" 30 "$(engine)"
}

do_status() {
  wk_status mongo MONGO_URL "$M_PID" "$MONGO_PORT" "$(engine)" ""
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  install) do_install ;;
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
