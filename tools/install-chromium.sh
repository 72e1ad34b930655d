#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's end-to-end tests (driven by playwright-core with
# executablePath /usr/bin/chromium). Idempotent: does nothing when chromium is already there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "install-chromium: chromium missing; run as root: apt-get install -y chromium" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends chromium >&2; }
command -v chromium >/dev/null
