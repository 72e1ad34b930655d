#!/usr/bin/env bash
# Installs the benchmark's peers from Debian (idempotent): wrk, and Starlette + uvicorn + pymongo for
# the reference app; and vegeta (Go, open-loop constant-rate load generator) for the fixed-rate phases,
# built with `go install` into ~/.cache/watchkeeper (never into the repository). The receiver itself
# comes from the workspace build (npm run build).
set -euo pipefail
need=()
for pkg in wrk python3-starlette python3-uvicorn python3-pymongo; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "setup.sh: need root to apt-get install ${need[*]}" >&2; exit 1; }
  # Other installers may hold the dpkg lock for a while: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi
vegeta_version=v12.13.0
cache="${WATCHKEEPER_CACHE:-$HOME/.cache/watchkeeper}"
vegeta="$cache/bin/vegeta"
if ! { [ -x "$vegeta" ] && [ "$(cat "$cache/bin/vegeta.version" 2>/dev/null)" = "$vegeta_version" ]; }; then
  command -v go >/dev/null || { echo "setup.sh: go is needed to install vegeta (apt-get install golang-go)" >&2; exit 1; }
  mkdir -p "$cache/bin"
  GOBIN="$cache/bin" GOPATH="$cache/go" GOMODCACHE="$cache/go/pkg/mod" GOCACHE="$cache/go-build" GOFLAGS=-mod=mod \
    go install "github.com/tsenart/vegeta/v12@$vegeta_version" >&2
  echo "$vegeta_version" >"$cache/bin/vegeta.version"
fi
echo "bench/receiver: vegeta $vegeta_version ($vegeta)" >&2
echo "bench/receiver: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), starlette $(/usr/bin/python3 -c 'import starlette; print(starlette.__version__)'), uvicorn $(/usr/bin/python3 -c 'import uvicorn; print(uvicorn.__version__)'), pymongo $(/usr/bin/python3 -c 'import pymongo; print(pymongo.version)')"
