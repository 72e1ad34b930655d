#!/bin/sh
# Creates (or re-keys) the Watchkeeper accounts from the environment, then runs Prosody in the
# foreground. Idempotent: `prosodyctl register` on an existing account sets its password.
#   XMPP_DOMAIN                 virtual host (default watchkeeper.lab)
#   XMPP_SERVER_PASSWORD        wk-server (heartbeat-server, pubsub admin)
#   XMPP_DISPATCHER_PASSWORD    wk-dispatcher (alert-dispatcher)
#   XMPP_CLIENT_PASSWORD        wk-client1..N (heartbeat-clients), N = XMPP_CLIENTS (default 5)
set -eu
domain="${XMPP_DOMAIN:-watchkeeper.lab}"
need() { eval "v=\${$1:-}"; [ -n "$v" ] || { echo "prosody entrypoint: $1 is not set (docker/.env)" >&2; exit 78; }; }
need XMPP_SERVER_PASSWORD
need XMPP_DISPATCHER_PASSWORD
need XMPP_CLIENT_PASSWORD
prosodyctl register wk-server "$domain" "$XMPP_SERVER_PASSWORD"
prosodyctl register wk-dispatcher "$domain" "$XMPP_DISPATCHER_PASSWORD"
i=1
while [ "$i" -le "${XMPP_CLIENTS:-5}" ]; do
  prosodyctl register "wk-client$i" "$domain" "$XMPP_CLIENT_PASSWORD"
  i=$((i + 1))
done
exec prosody -F
