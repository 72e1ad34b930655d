#!/usr/bin/env bash
# Installs the tools the deployment checks use, once, into a cache; every later call is a no-op.
#   tools/deploy-tools.sh ensure TOOL...   install what is missing; print "TOOL=/path" per tool
#   tools/deploy-tools.sh path TOOL        print the path only (installs when missing)
# TOOLs:
#   docker-compose  Debian's docker-compose 1.29 (parses and renders compose files without an engine)
#   kcat            Debian's kcat (a downstream consumer's view of the topics)
#   prosodyctl      Debian's prosody (checks docker/prosody/prosody.cfg.lua)
#   kustomize       sigs.k8s.io/kustomize/kustomize/v5, built with `go install`
#   kubeconform     github.com/yannh/kubeconform, built with `go install`
#   k8s-openapi     the Kubernetes OpenAPI definitions compiled into kustomize's kyaml module,
#                   written as JSON by tools/k8s-openapi (a JSON file, not a binary)
# Cache: ${WATCHKEEPER_CACHE:-~/.cache/watchkeeper}; Go builds use the machine's Go (GOTOOLCHAIN=local).
set -euo pipefail
WK_NAME=deploy-tools
# shellcheck source=infra/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/infra/lib.sh" # wk_need/wk_apt_install, WK_CACHE, Go on PATH
root="$WK_REPO_ROOT"
cache="$WK_CACHE"
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"
KUBECONFORM_VERSION="${KUBECONFORM_VERSION:-v0.7.0}"

log() { wk_info "$@"; }
die() { wk_die "$@"; }

export GOTOOLCHAIN=local GOFLAGS=-mod=mod

go_install() { # name module version -> cached binary path
  local name="$1" module="$2" version="$3" bin="$cache/bin/$1-$3"
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null 2>&1 || die "go is needed to build $name"
    local tmp
    tmp="$(mktemp -d)"
    log "go install $module@$version"
    GOBIN="$tmp" go install "$module@$version"
    mkdir -p "$cache/bin"
    mv "$tmp/$name" "$bin.tmp.$$" && mv "$bin.tmp.$$" "$bin"
    rm -rf "$tmp"
  fi
  printf '%s\n' "$bin"
}

k8s_openapi() { # -> path of the definitions JSON; rebuilt when tools/k8s-openapi changes
  local src="$root/tools/k8s-openapi" key out
  key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
  out="$cache/k8s-openapi/$key.json"
  if [ ! -s "$out" ]; then
    command -v go >/dev/null 2>&1 || die "go is needed to build tools/k8s-openapi"
    mkdir -p "$cache/k8s-openapi"
    log "building tools/k8s-openapi"
    (cd "$src" && go build -o "$cache/k8s-openapi/k8s-openapi-$key" .)
    "$cache/k8s-openapi/k8s-openapi-$key" "$out.tmp.$$"
    mv "$out.tmp.$$" "$out"
  fi
  printf '%s\n' "$out"
}

tool_path() {
  case "$1" in
    docker-compose) wk_need docker-compose docker-compose >&2 && command -v docker-compose ;;
    kcat) wk_need kcat kcat >&2 && command -v kcat ;;
    prosodyctl) wk_need prosodyctl prosody >&2 && command -v prosodyctl ;;
    kustomize) go_install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" ;;
    kubeconform) go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" ;;
    k8s-openapi) k8s_openapi ;;
    *) die "unknown tool '$1' (docker-compose, kcat, prosodyctl, kustomize, kubeconform, k8s-openapi)" ;;
  esac
}

cmd="${1:-}"
shift || true
case "$cmd" in
  ensure)
    [ $# -gt 0 ] || set -- docker-compose kcat prosodyctl kustomize kubeconform k8s-openapi
    for t in "$@"; do printf '%s=%s\n' "$t" "$(tool_path "$t")"; done
    ;;
  path)
    [ $# = 1 ] || die "usage: $0 path TOOL"
    tool_path "$1"
    ;;
  *) die "usage: $0 ensure [TOOL...] | path TOOL" ;;
esac
