#!/usr/bin/env bash
# A Docker engine and docker compose for the compose stack, installed by the project itself.
#   tools/docker/ensure-engine.sh [start]   idempotent: installs what is missing (Debian docker.io,
#                                           docker-compose, debootstrap) and starts dockerd when no
#                                           engine answers `docker info`
#   tools/docker/ensure-engine.sh stop      stops the dockerd this script started (by its pid file)
#   tools/docker/ensure-engine.sh compose   prints the compose command to use (v2 plugin or 1.29)
# An engine that already answers is used as it is. The dockerd started here keeps its images and
# build cache under ~/.cache/watchkeeper/docker (DOCKER_DATA_ROOT), so a later run rebuilds nothing;
# its log and pid file live in .run/docker (ignored).
set -euo pipefail
WK_NAME=docker
# shellcheck source=../infra/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../infra" && pwd)/lib.sh"

D_RUN="$WK_RUN/docker"
D_PID="$D_RUN/dockerd.pid"
D_LOG="$D_RUN/dockerd.log"
DOCKER_DATA_ROOT="${DOCKER_DATA_ROOT:-$WK_CACHE/docker/data}"

engine_up() { docker info >/dev/null 2>&1; }

install_missing() {
  local pkgs=()
  command -v dockerd >/dev/null 2>&1 || pkgs+=(docker.io)
  command -v docker >/dev/null 2>&1 || pkgs+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || pkgs+=(debootstrap)
  if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then pkgs+=(docker-compose); fi
  [ "${#pkgs[@]}" -eq 0 ] || wk_apt_install "${pkgs[@]}"
}

do_start() {
  install_missing
  if engine_up; then return 0; fi
  [ "$(id -u)" = 0 ] || wk_die "no Docker engine answers and starting dockerd needs root"
  mkdir -p "$D_RUN" "$DOCKER_DATA_ROOT"
  if wk_pid_alive "$D_PID" dockerd; then
    wk_info "dockerd (pid $(wk_pid_read "$D_PID")) is starting"
  else
    # containerd comes with docker.io; dockerd starts its own when none runs
    wk_info "starting dockerd (data root $DOCKER_DATA_ROOT, log $D_LOG)"
    setsid dockerd --data-root "$DOCKER_DATA_ROOT" --pidfile "$D_RUN/dockerd.self.pid" \
      >>"$D_LOG" 2>&1 </dev/null &
    echo $! >"$D_PID"
  fi
  local i
  for i in $(seq 1 120); do
    engine_up && { wk_info "engine up: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"; return 0; }
    wk_pid_alive "$D_PID" dockerd || { tail -20 "$D_LOG" >&2; wk_die "dockerd exited (see $D_LOG)"; }
    sleep 0.5
  done
  tail -20 "$D_LOG" >&2
  wk_die "dockerd did not answer within 60 s (see $D_LOG)"
}

do_stop() {
  if wk_pid_alive "$D_PID" dockerd; then
    wk_stop_pid "$D_PID" dockerd 30 dockerd
  else
    wk_info "no dockerd started by this script is running"
  fi
}

# compose v2 (the docker CLI plugin) when present, else Debian's docker-compose 1.29
do_compose() {
  if docker compose version >/dev/null 2>&1; then echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then echo "docker-compose"
  else wk_die "neither 'docker compose' nor docker-compose is installed (run tools/docker/ensure-engine.sh)"
  fi
}

case "${1:-start}" in
  start) do_start ;;
  stop) do_stop ;;
  compose) do_compose ;;
  *) wk_die "usage: $0 [start|stop|compose]" ;;
esac
