#!/usr/bin/env bash
# Installs Debian's systemd-journal-remote (idempotent). The log-collector's journald integration test
# writes real journal files with it (`systemd-journal-remote -o x.journal -` reads the journal export
# format on stdin) and reads them back with the real journalctl; no running journald is needed.
set -euo pipefail
# shellcheck source=infra/lib.sh
WK_NAME=install-journal-remote source "$(dirname "$0")/infra/lib.sh"
bin=/usr/lib/systemd/systemd-journal-remote
if [ -x "$bin" ] && command -v journalctl >/dev/null 2>&1; then exit 0; fi
wk_apt_install systemd-journal-remote
[ -x "$bin" ] || wk_die "$bin still missing after installing systemd-journal-remote"
