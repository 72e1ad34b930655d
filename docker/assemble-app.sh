#!/usr/bin/env bash
# Assembles one service's runtime tree from a built checkout (`npx tsc -b` done): production
# dependencies only (`npm ci --omit=dev -w apps/APP`), the compiled dist/ of the app and of the
# workspace libs it needs, a service.js entry point and the HEALTHCHECK script. The image build
# (docker/Dockerfile) runs exactly this, and so does libs/deploy-checks' test, which then starts it.
#   docker/assemble-app.sh APP OUTDIR
set -euo pipefail
app="${1:?usage: assemble-app.sh APP OUTDIR}"
out="${2:?usage: assemble-app.sh APP OUTDIR}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -f "apps/$app/package.json" ] || { echo "assemble-app: no app named '$app' under apps/" >&2; exit 64; }
[ -f "apps/$app/dist/main.js" ] || { echo "assemble-app: apps/$app/dist/main.js missing: run npx tsc -b first" >&2; exit 65; }

# The workspace projects the app needs: itself plus its @watchkeeper/* dependencies, transitively.
mapfile -t projects < <(node -e '
const fs = require("fs"), path = require("path");
const dirs = ["libs", "apps"].flatMap((k) => fs.existsSync(k) ? fs.readdirSync(k).map((d) => k + "/" + d) : [])
  .filter((d) => fs.existsSync(d + "/package.json"));
const byName = new Map(dirs.map((d) => [JSON.parse(fs.readFileSync(d + "/package.json", "utf8")).name, d]));
const need = new Set(), todo = ["apps/" + process.argv[1]];
while (todo.length) {
  const d = todo.pop();
  if (need.has(d)) continue;
  need.add(d);
  const deps = JSON.parse(fs.readFileSync(d + "/package.json", "utf8")).dependencies || {};
  for (const n of Object.keys(deps)) if (byName.has(n)) todo.push(byName.get(n));
}
console.log([...need].sort().join("\n"));
' "$app")

rm -rf "$out"
mkdir -p "$out"
cp package.json package-lock.json "$out/"
[ -f .npmrc ] && cp .npmrc "$out/"
# npm ci checks the lock file against every workspace's package.json, so all the workspaces the lock
# file knows are present (a folder it does not know yet is someone's work in progress); only the
# projects the app needs get their built files below.
mapfile -t locked < <(node -p 'Object.keys(require("./package-lock.json").packages).filter((k) => /^(libs|apps)\/[^/]+$/.test(k)).join("\n")')
for d in "${locked[@]}"; do
  [ -f "$d/package.json" ] || continue
  mkdir -p "$out/$d"
  cp "$d/package.json" "$out/$d/"
done
(cd "$out" && npm ci --omit=dev --workspace "apps/$app" --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)

for p in "${projects[@]}"; do
  cp -R "$p/dist" "$out/$p/dist"
  [ -d "$p/bin" ] && cp -R "$p/bin" "$out/$p/bin"
  [ -d "$p/public" ] && cp -R "$p/public" "$out/$p/public" # static files served as they are (the dashboard)
done
find "$out" -path '*/node_modules' -prune -o \( -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -type f -print0 | xargs -0r rm -f
# Workspaces the app does not need: drop them and their links so the image holds only what runs.
for d in libs/* apps/*; do
  [ -d "$out/$d" ] || continue
  case " ${projects[*]} " in *" $d "*) ;; *)
    name="$(node -p "require('./$d/package.json').name")"
    rm -rf "${out:?}/$d" "$out/node_modules/$name"
  esac
done
rmdir "$out/libs" 2>/dev/null || true

ln -s "apps/$app/bin/watchkeeper-$app.js" "$out/service.js"
# the service's command on PATH (the image puts /app/bin there): `watchkeeper-<app> check` and the like
mkdir -p "$out/bin"
ln -s "../apps/$app/bin/watchkeeper-$app.js" "$out/bin/watchkeeper-$app"
cp docker/healthcheck.cjs "$out/healthcheck.cjs"
printf '%s\n' "$app" >"$out/APP"
