#!/usr/bin/env bash
# End-to-end test of the docker compose stack on a real engine (issue 14): builds the images from this
# checkout without Docker Hub (cached; the apps are rebuilt when their sources changed), starts the
# stack as its own compose project (wk-e2e, network wk-e2e-lab, volumes of its own, ports on
# 127.0.0.1 from E2E_PORT_BASE), runs tools/compose-e2e/stack.test.cjs against it, then removes the
# project with its volumes. Never touches the user's own stack (project `watchkeeper`, docker/.env).
#   tools/compose-e2e.sh            E2E_PORT_BASE (default 21300), E2E_KEEP=1 leaves the stack up
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base="${E2E_PORT_BASE:-21300}"
work="$root/.run/compose-e2e"
# a previous run's leftovers (E2E_KEEP or an interrupted run) go first: the test starts from empty volumes
if [ -f "$work/e2e.env" ]; then
  COMPOSE_PROJECT_NAME=wk-e2e WATCHKEEPER_NETWORK=wk-e2e-lab WATCHKEEPER_ENV_FILE="$work/e2e.env" \
    bash "$root/tools/docker/compose.sh" down -v >/dev/null 2>&1 || true
fi
rm -rf "$work"
mkdir -p "$work/hostlog"
: >"$work/hostlog/auth.log"
chmod 0755 "$work/hostlog"; chmod 0644 "$work/hostlog/auth.log"

export COMPOSE_PROJECT_NAME=wk-e2e
export WATCHKEEPER_NETWORK=wk-e2e-lab
export WATCHKEEPER_ENV_FILE="$work/e2e.env"
export WATCHKEEPER_COMPOSE_FILES="$root/tools/compose-e2e/compose.e2e.yaml"
export ALERT_ROUTING_FILE="$root/tools/compose-e2e/routing.yaml"
export HOST_LOG_DIR="$work/hostlog"
export WATCHKEEPER_HOST_NAME=e2e-host
export RECEIVER_BIND=127.0.0.1 WATCHKEEPER_LOCAL_BIND=127.0.0.1 XMPP_BIND=127.0.0.1 KAFKA_HOST_BIND=127.0.0.1
export RECEIVER_PUBLISHED_PORT=$((base + 80)) HEARTBEAT_SERVER_PUBLISHED_PORT=$((base + 81)) \
  ALERT_DISPATCHER_PUBLISHED_PORT=$((base + 82)) LOG_COLLECTOR_PUBLISHED_PORT=$((base + 83)) \
  HEARTBEAT_CLIENT_PUBLISHED_PORT=$((base + 84)) KAFKA_HOST_PORT=$((base + 94)) XMPP_PUBLISHED_PORT=$((base + 22))
export KAFKA_HOST_ADVERTISED=127.0.0.1

compose=(bash "$root/tools/docker/compose.sh")
cleanup() {
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "[compose-e2e] E2E_KEEP=1: the stack stays up (project $COMPOSE_PROJECT_NAME)" >&2; return; fi
  "${compose[@]}" down -v >/dev/null 2>&1 || true
}
trap cleanup EXIT

t0=$SECONDS
bash tools/ensure-deps.sh
[ -f libs/contracts/dist/index.js ] || npx tsc -b tsconfig.json
"${compose[@]}" up --build
echo "[compose-e2e] stack up in $((SECONDS - t0)) s" >&2
E2E_WORK="$work" node --test --test-reporter=spec tools/compose-e2e/stack.test.cjs
echo "[compose-e2e] passed in $((SECONDS - t0)) s" >&2
