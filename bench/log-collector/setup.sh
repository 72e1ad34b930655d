#!/usr/bin/env bash
# Installs the benchmark's peer from Debian (idempotent): fail2ban's fail2ban-regex.
set -euo pipefail
if command -v fail2ban-regex >/dev/null 2>&1; then
  echo "fail2ban-regex already installed: $(fail2ban-regex --version 2>&1 | head -1)"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: the regex tester only, no firewall backends or mail tools.
apt-get install -y -qq --no-install-recommends fail2ban python3-systemd
systemctl disable --now fail2ban >/dev/null 2>&1 || true
echo "installed: $(fail2ban-regex --version 2>&1 | head -1)"
