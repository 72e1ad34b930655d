# shellcheck shell=bash
# Shared helpers for tools/infra/*.sh. Source it; do not execute it.
#
# Provides: logging (wk_info/wk_warn/wk_die), the cache and run directories,
# pid-file handling (wk_pid_*), background start (wk_start_bg), stop with
# SIGTERM -> SIGKILL (wk_stop_pid) and port probes (wk_port_open/wk_wait_port).

WK_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WK_REPO_ROOT="$(cd "$WK_INFRA_DIR/../.." && pwd)"
WK_CACHE="${WATCHKEEPER_CACHE:-$HOME/.cache/watchkeeper}"
WK_RUN="${WATCHKEEPER_RUN_DIR:-$WK_REPO_ROOT/.run}"
WK_HOST=127.0.0.1

# Go lives in /usr/local/go on this kind of machine; it may not be on PATH in CI.
if [ -d /usr/local/go/bin ] && ! command -v go >/dev/null 2>&1; then
  PATH="/usr/local/go/bin:$PATH"
fi

wk__name="${WK_NAME:-$(basename "$0" .sh)}"
wk_info() { printf '[%s] %s\n' "$wk__name" "$*" >&2; }
wk_warn() { printf '[%s] WARNING: %s\n' "$wk__name" "$*" >&2; }
wk_die() { printf '[%s] ERROR: %s\n' "$wk__name" "$*" >&2; exit 1; }

wk_mkdirs() { mkdir -p "$@"; }

# Run apt-get update only when the package lists are older than a day
# or when the given package has no install candidate.
#   wk_apt_install [apt-get options…] PKG…   e.g. wk_apt_install --no-install-recommends chromium
wk_apt_install() {
  local pkg need_update=0 lists=/var/lib/apt/lists
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    # CI runners (e.g. GitHub's) are not root but have password-less sudo.
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else wk_die "apt-get install $* needs root"; fi
  fi
  if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    need_update=1
  fi
  for pkg in "$@"; do
    case "$pkg" in -*) continue ;; esac # apt-get options (e.g. --no-install-recommends) pass through
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then need_update=1; fi
  done
  if [ "$need_update" = 1 ]; then
    wk_info "apt-get update"
    $sudo apt-get update -qq
  fi
  wk_info "apt-get install -y $*"
  # Waits for a concurrent apt (another script's install) instead of failing on the dpkg lock.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$@" >/dev/null
}

# Ensure a command exists, else install the given apt packages.
wk_need() {
  local cmd="$1"; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  wk_apt_install "$@"
  command -v "$cmd" >/dev/null 2>&1 || wk_die "'$cmd' still missing after installing $*"
}

# --- ports -------------------------------------------------------------------

wk_port_open() { # host port
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wk_wait_port() { # host port timeout_s [pidfile]  -> 0 when open
  local host="$1" port="$2" t="$3" pidfile="${4:-}" i=0
  while [ "$i" -lt $((t * 4)) ]; do
    if wk_port_open "$host" "$port"; then return 0; fi
    if [ -n "$pidfile" ] && ! wk_pid_alive "$pidfile"; then return 2; fi
    sleep 0.25
    i=$((i + 1))
  done
  return 1
}

# --- pid files -----------------------------------------------------------------

wk_pid_read() { # pidfile -> prints pid or nothing
  [ -s "$1" ] && tr -dc '0-9' <"$1" || true
}

# pidfile [cmdline-substring]: the process is alive (and, if given, its
# command line contains the substring, guarding against pid reuse).
wk_pid_alive() {
  local pid match="${2:-}"
  pid="$(wk_pid_read "$1")"
  [ -n "$pid" ] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -n "$match" ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$match" || return 1
  fi
  # a zombie counts as dead
  if grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then return 1; fi
  return 0
}

# Remove a pid file whose process is gone.
wk_pid_clean() { # pidfile [match]
  if [ -e "$1" ] && ! wk_pid_alive "$1" "${2:-}"; then rm -f "$1"; fi
}

# Start a command detached (own session, immune to SIGHUP), stdout+stderr to
# logfile, pid to pidfile. The pid written is the pid of the command itself.
wk_start_bg() { # pidfile logfile cmd...
  local pidfile="$1" logfile="$2" i=0; shift 2
  rm -f "$pidfile"
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  setsid bash -c 'echo $$ >"$0"; exec nohup "$@"' "$pidfile" "$@" >>"$logfile" 2>&1 </dev/null 8>&- 9>&- &
  while [ ! -s "$pidfile" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  [ -s "$pidfile" ] || wk_die "could not start $1 (no pid file)"
}

# SIGTERM, wait up to timeout seconds, then SIGKILL. Removes the pid file.
wk_stop_pid() { # pidfile name [timeout=30] [match]
  local pidfile="$1" name="$2" t="${3:-30}" match="${4:-}" pid i=0
  if ! wk_pid_alive "$pidfile" "$match"; then
    rm -f "$pidfile"
    wk_info "$name is not running"
    return 0
  fi
  pid="$(wk_pid_read "$pidfile")"
  wk_info "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((t * 4)) ]; do
    if grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then break; fi
    sleep 0.25
    i=$((i + 1))
  done
  if kill -0 "$pid" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    wk_warn "$name did not stop within ${t}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  wk_info "$name stopped"
}

# Refuse to start when someone else holds the port.
wk_port_free_or_die() { # host port name
  if wk_port_open "$1" "$2"; then
    wk_die "port $1:$2 is already in use by another process; cannot start $3 (set the port env var or stop that process)"
  fi
}

# wk_external NAME VAR: true when VAR is set in the environment and does not
# come from our own <run dir>/env (which lists locally managed services in
# WATCHKEEPER_MANAGED), i.e. the caller points at an external server.
wk_external() {
  local name="$1" var="$2"
  [ -n "${!var:-}" ] || return 1
  case " ${WATCHKEEPER_MANAGED:-} " in *" $name "*) return 1 ;; esac
  return 0
}

# Serialize concurrent invocations (several engineers/test runs may call
# start at once). fd 8 = run-dir lock (start/stop), fd 9 = cache lock (install).
# Locks are released when the script exits; daemons get both fds closed.
wk_lock_run() { # name
  mkdir -p "$WK_RUN"
  exec 8>"$WK_RUN/.$1.lock"
  flock -w 900 8 || wk_die "timed out waiting for $WK_RUN/.$1.lock"
}
wk_lock_cache() { # name
  mkdir -p "$WK_CACHE"
  exec 9>"$WK_CACHE/.$1.lock"
  flock -w 1800 9 || wk_die "timed out waiting for $WK_CACHE/.$1.lock"
}

# wk_status NAME ENV_VAR PID_FILE PORT WHAT DETAIL: the one status line every server script prints.
# Exit 0 up (or external), 1 process alive but port closed, 3 stopped. Uses the caller's is_running.
wk_status() {
  local name=$1 var=$2 pidf=$3 port=$4 what=$5 detail=$6
  if wk_external "$name" "$var"; then
    echo "$name: external ($var=${!var})"
    return 0
  fi
  if is_running; then
    if wk_port_open "$WK_HOST" "$port"; then
      echo "$name: running ${what:+$what }pid $(wk_pid_read "$pidf") on $WK_HOST:$port${detail:+ ($detail)}"
      return 0
    fi
    echo "$name: process pid $(wk_pid_read "$pidf") alive but $WK_HOST:$port closed"
    return 1
  fi
  echo "$name: stopped"
  return 3
}
