#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's end-to-end tests (driven by playwright-core with
# executablePath /usr/bin/chromium). Idempotent: does nothing when chromium is already there.
set -euo pipefail
WK_NAME=install-chromium
# shellcheck source=infra/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/infra/lib.sh"
command -v chromium >/dev/null 2>&1 && exit 0
wk_apt_install --no-install-recommends chromium
command -v chromium >/dev/null 2>&1 || wk_die "chromium still missing after apt-get install"
