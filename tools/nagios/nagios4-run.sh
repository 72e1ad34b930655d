#!/usr/bin/env bash
# Runs `watchkeeper-heartbeat-server check` as a command under a real Nagios 4 (Debian's nagios4):
# installs nagios4 if missing (idempotent), writes a minimal config in a scratch dir with one command
# and one service per URL, verifies it (nagios4 -v), runs Nagios in the foreground until every
# service has a result, and prints each service's state from status.dat as
#   SERVICE<TAB>current_state<TAB>plugin_output<TAB>performance_data
#
# Usage: tools/nagios/nagios4-run.sh URL [URL…]     (heartbeat-server base URLs, e.g. http://127.0.0.1:8081)
#   NAGIOS_WAIT_S   give up after this many seconds (default 40)
#   CHECK_ARGS      extra arguments to the check (e.g. "-w 2 -c 5")
set -euo pipefail
WK_NAME=nagios4
# shellcheck source=../infra/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../infra/lib.sh"
[ $# -ge 1 ] || { echo "usage: $0 URL [URL…]" >&2; exit 2; }

# nagios4-core only: the nagios4 package adds Apache and the CGIs, which a command check does not need.
wk_need nagios4 nagios4-core
[ "$1" = "--install-only" ] && exit 0
NAGIOS=$(command -v nagios4)
NODE=$(command -v node)
BIN="$WK_REPO_ROOT/apps/heartbeat-server/bin/watchkeeper-heartbeat-server.js"
[ -f "$WK_REPO_ROOT/apps/heartbeat-server/dist/main.js" ] || wk_die "build first: npx tsc -b apps/heartbeat-server"

dir=$(mktemp -d /tmp/wk-nagios4.XXXXXX)
chmod 755 "$dir"
user=$(id -un)
group=$(id -gn)
mkdir -p "$dir/spool/checkresults" "$dir/rw"
cat >"$dir/nagios.cfg" <<CFG
log_file=$dir/nagios.log
cfg_file=$dir/objects.cfg
object_cache_file=$dir/objects.cache
precached_object_file=$dir/objects.precache
status_file=$dir/status.dat
status_update_interval=1
temp_file=$dir/nagios.tmp
temp_path=$dir
lock_file=$dir/nagios.lock
check_result_path=$dir/spool/checkresults
command_file=$dir/rw/nagios.cmd
check_external_commands=0
retain_state_information=0
state_retention_file=$dir/retention.dat
nagios_user=$user
nagios_group=$group
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
check_result_reaper_frequency=1
service_check_timeout=20
enable_notifications=0
execute_host_checks=0
log_rotation_method=n
illegal_macro_output_chars=\`~\$&|'"<>
CFG

{
  cat <<OBJ
define timeperiod {
  timeperiod_name 24x7
  alias           always
  sunday 00:00-24:00
  monday 00:00-24:00
  tuesday 00:00-24:00
  wednesday 00:00-24:00
  thursday 00:00-24:00
  friday 00:00-24:00
  saturday 00:00-24:00
}
define contact {
  contact_name                  nobody
  host_notifications_enabled    0
  service_notifications_enabled 0
  host_notification_period      24x7
  service_notification_period   24x7
  host_notification_options     n
  service_notification_options  n
  host_notification_commands    check_watchkeeper_heartbeat
  service_notification_commands check_watchkeeper_heartbeat
}
define command {
  command_name check_watchkeeper_heartbeat
  command_line $NODE $BIN check --url \$ARG1\$ ${CHECK_ARGS:-}
}
define host {
  host_name             watchkeeper
  address               127.0.0.1
  max_check_attempts    1
  check_period          24x7
  contacts              nobody
  active_checks_enabled 0
}
OBJ
  i=0
  for url in "$@"; do
    i=$((i + 1))
    cat <<OBJ
define service {
  host_name             watchkeeper
  service_description   heartbeat-$i
  check_command         check_watchkeeper_heartbeat!$url
  max_check_attempts    1
  check_interval        5
  retry_interval        5
  check_period          24x7
  contacts              nobody
}
OBJ
  done
} >"$dir/objects.cfg"

"$NAGIOS" -v "$dir/nagios.cfg" >"$dir/verify.log" 2>&1 || { cat "$dir/verify.log" >&2; wk_die "nagios4 -v rejected the config ($dir)"; }
wk_info "config verified ($dir); running nagios4 in the foreground"

"$NAGIOS" "$dir/nagios.cfg" >"$dir/stdout.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

# status.dat: one block per service; wait until every service has been checked once.
status() {
  awk '
    /^servicestatus \{/ { in_s = 1; d = ""; st = ""; out = ""; perf = ""; checked = 0; next }
    in_s && /^\t*service_description=/ { sub(/^[^=]*=/, ""); d = $0 }
    in_s && /^\t*current_state=/ { sub(/^[^=]*=/, ""); st = $0 }
    in_s && /^\t*plugin_output=/ { sub(/^[^=]*=/, ""); out = $0 }
    in_s && /^\t*performance_data=/ { sub(/^[^=]*=/, ""); perf = $0 }
    in_s && /^\t*has_been_checked=/ { sub(/^[^=]*=/, ""); checked = $0 }
    in_s && /^\t*\}/ { if (checked == 1) printf "%s\t%s\t%s\t%s\n", d, st, out, perf; in_s = 0 }
  ' "$dir/status.dat" 2>/dev/null || true
}
deadline=$((SECONDS + ${NAGIOS_WAIT_S:-40}))
while [ $SECONDS -lt $deadline ]; do
  kill -0 $pid 2>/dev/null || { cat "$dir/stdout.log" "$dir/nagios.log" >&2; wk_die "nagios4 exited"; }
  if [ "$(status | wc -l)" -ge $# ]; then
    status
    grep -h "SERVICE ALERT\|INITIAL SERVICE STATE" "$dir/nagios.log" >&2 || true
    exit 0
  fi
  sleep 0.5
done
cat "$dir/nagios.log" >&2
wk_die "no check result in status.dat after ${NAGIOS_WAIT_S:-40}s ($dir)"
