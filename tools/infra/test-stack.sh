#!/usr/bin/env bash
# The test stack: Kafka, MongoDB-wire and Prosody of `npm test` alone, in their own data folder
# (<repo>/.run/test, or WATCHKEEPER_TEST_RUN_DIR) on their own ports, so nothing a test writes ever
# reaches the servers or the data folder of `npm start` (<repo>/.run, default ports).
# Usage: tools/infra/test-stack.sh up|down|env
#   up    reuses the test stack if it is already up (an earlier `up`), else picks free ports and starts
#         it; prints "reused" or "started". Source <test run dir>/env afterwards.
#   down  stops it and deletes its data folder.
#   env   prints the path of its env file.
# Ports: base WATCHKEEPER_TEST_PORT_BASE (default 29000) + 92 Kafka, +93 controller, +17 MongoDB-wire,
# +22 XMPP; the base moves up by 100 while any of them is taken by someone else.
# Servers named by KAFKA_BROKERS / MONGO_URL / XMPP_SERVICE (set by the user, not by .run/env) are
# external: the test stack does not start that one (tools/test-cleanup.cjs removes what a run made there).
set -euo pipefail
WK_NAME=test-stack
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

TEST_RUN="${WATCHKEEPER_TEST_RUN_DIR:-$WK_REPO_ROOT/.run/test}"
PORTS_FILE="$TEST_RUN/ports"

# Variables that came from `npm start`'s own env file name its servers, not external ones: drop them.
forget_dev_stack() {
  local pair name var
  for pair in kafka:KAFKA_BROKERS mongo:MONGO_URL prosody:XMPP_SERVICE; do
    name=${pair%%:*} var=${pair#*:}
    case " ${WATCHKEEPER_MANAGED:-} " in *" $name "*) unset "$var" ;; esac
  done
  unset WATCHKEEPER_MANAGED KAFKA_PORT KAFKA_CONTROLLER_PORT MONGO_PORT XMPP_PORT
}

ports_for() { # base -> exports the four ports
  export KAFKA_PORT=$(($1 + 92)) KAFKA_CONTROLLER_PORT=$(($1 + 93)) MONGO_PORT=$(($1 + 17)) XMPP_PORT=$(($1 + 22))
}

ports_free() {
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$MONGO_PORT" "$XMPP_PORT"; do
    if wk_port_open "$WK_HOST" "$p"; then return 1; fi
  done
}

# fd 7 (the lock of `up`) closed: the servers started below must not hold it.
stack() { WATCHKEEPER_RUN_DIR="$TEST_RUN" bash "$WK_INFRA_DIR/stack.sh" "$@" 7>&-; }

do_up() {
  forget_dev_stack
  mkdir -p "$TEST_RUN"
  exec 7>"$TEST_RUN/.up.lock"
  flock -w 900 7 || wk_die "timed out waiting for $TEST_RUN/.up.lock"
  if [ -s "$PORTS_FILE" ]; then
    ports_for "$(cat "$PORTS_FILE")"
    if stack status >/dev/null 2>&1; then
      stack env >/dev/null
      echo reused
      return 0
    fi
    stack stop >/dev/null 2>&1 || true # whatever of it is left from a run that was killed
  fi
  local base="${WATCHKEEPER_TEST_PORT_BASE:-29000}" tries=0
  ports_for "$base"
  until ports_free; do
    tries=$((tries + 1))
    [ "$tries" -lt 30 ] || wk_die "no free port set from $base upwards"
    base=$((base + 100))
    ports_for "$base"
  done
  echo "$base" >"$PORTS_FILE"
  wk_info "starting the test stack in $TEST_RUN (Kafka :$KAFKA_PORT, MongoDB-wire :$MONGO_PORT, XMPP :$XMPP_PORT)"
  stack start >&2
  echo started
}

do_down() {
  forget_dev_stack
  if [ -s "$PORTS_FILE" ]; then ports_for "$(cat "$PORTS_FILE")"; fi
  [ -d "$TEST_RUN" ] || return 0
  stack stop >&2 || true
  rm -rf "$TEST_RUN"
  wk_info "test stack stopped, $TEST_RUN removed"
}

case "${1:-}" in
  up) do_up ;;
  down) do_down ;;
  env) echo "$TEST_RUN/env" ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
