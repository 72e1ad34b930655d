#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, starts the local infrastructure from tools/infra and then
# every service with a sample configuration (tools/dev-stack.cjs). Ctrl-C / SIGTERM stops all of it.
# Ports: KAFKA_PORT, KAFKA_CONTROLLER_PORT, MONGO_PORT, XMPP_PORT (tools/infra) and
# WATCHKEEPER_HTTP_PORT_BASE (services on base+80…, default 8000) move it off the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true
bash tools/ensure-deps.sh
npm run -s build
# Servers that were already running are used and left running; the ones started here stop on exit.
started_infra=0
bash tools/infra/stack.sh status >/dev/null 2>&1 || started_infra=1
stop_infra() { if [ "$started_infra" = 1 ]; then bash tools/infra/stack.sh stop || true; fi; }
trap stop_infra EXIT
bash tools/infra/stack.sh ensure >/dev/null
# Not exec: the EXIT trap must stop the infrastructure after the services are down.
node tools/dev-stack.cjs "$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 143' TERM
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 130' INT
wait $child
