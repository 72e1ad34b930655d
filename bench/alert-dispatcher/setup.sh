#!/usr/bin/env bash
# Installs the benchmark's peer from Debian (idempotent): Prometheus Alertmanager 0.25
# (prometheus-alertmanager). The packaged service is left stopped: run.cjs starts its own instance
# (loopback only, clustering off, config and storage in a temp dir).
set -euo pipefail
# shellcheck source=../../tools/infra/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../tools/infra/lib.sh"
if ! command -v prometheus-alertmanager >/dev/null 2>&1; then
  wk_apt_install prometheus-alertmanager
  # The package may start its own service on :9093; the benchmark does not need it.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then service prometheus-alertmanager stop >/dev/null 2>&1 || true; fi
fi
echo "prometheus-alertmanager: $(prometheus-alertmanager --version 2>&1 | head -1)"
