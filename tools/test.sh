#!/usr/bin/env bash
# `npm test`: installs what is missing, builds and lints, starts the real servers (Kafka, MongoDB-wire,
# Prosody) from tools/infra, runs every project's suites one project at a time, stops what it started,
# and prints one closing line for the whole workspace.
#   --unit   unit tests only (no servers)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=true FORCE_COLOR=0
mode=all
[ "${1:-}" = "--unit" ] && mode=unit

bash tools/ensure-deps.sh
echo "[test] build (tsc -b) and lint" >&2
npx nx sync # TypeScript project references from the package.json dependencies (@nx/js/typescript)
npx tsc -b tsconfig.json
# The tests too: jest strips types (swc) without checking them, so a test's type error would only
# show as a runtime failure. Each project's tsconfig.json references its lib and spec configs.
npx tsc -b apps/*/tsconfig.json libs/*/tsconfig.json
npx nx run-many -t lint --outputStyle=static

export WK_TEST_RESULTS_DIR="$root/test-artifacts/results"
rm -rf "$WK_TEST_RESULTS_DIR"
mkdir -p "$WK_TEST_RESULTS_DIR"

started_infra=0
cleanup() {
  if [ "$started_infra" = 1 ]; then bash tools/infra/stack.sh stop >&2 || true; fi
}
trap cleanup EXIT

jest_args=()
if [ "$mode" = unit ]; then
  jest_args+=(--passWithNoTests --testPathIgnorePatterns '\.int\.spec\.ts$')
else
  bash tools/install-chromium.sh # Debian chromium for the dashboard's browser tests (idempotent)
  bash tools/install-journal-remote.sh # writes real journal files for the journald source's tests (idempotent)
  # Servers that were already up (a developer's own) are used and left running; otherwise they are
  # started here and stopped when the run ends, leaving nothing behind.
  echo "[test] Kafka, MongoDB-wire server and Prosody" >&2
  bash tools/infra/stack.sh status >/dev/null 2>&1 || started_infra=1
  bash tools/infra/stack.sh ensure >/dev/null
  # shellcheck disable=SC1091
  source "${WATCHKEEPER_RUN_DIR:-.run}/env"
fi

status=0
npx nx run-many -t test --parallel=1 --outputStyle=static -- "${jest_args[@]}" || status=$?

node -e '
const fs = require("fs"), dir = process.argv[1];
let p = 0, f = 0, s = 0, errs = 0; const bad = [], why = [];
for (const file of fs.readdirSync(dir)) {
  const r = JSON.parse(fs.readFileSync(dir + "/" + file, "utf8"));
  p += r.passed; f += r.failed; s += r.skipped; errs += r.suiteErrors; bad.push(...r.failedSuites); why.push(...(r.failures || []));
}
for (const w of why) console.log("\n--- why " + w.suite + " failed ---\n" + w.message);
if (bad.length) console.log("failed suites:\n  " + bad.join("\n  "));
if (errs) console.log(errs + " suite(s) failed to run");
console.log(`Tests: ${p} passed, ${f + errs} failed, ${s} skipped`);
// A jest process that died (out of memory, killed) writes no results: its tests are in no count above.
if (process.argv[2] !== "0" && f + errs === 0) console.log("a test run ended without results (crashed or killed): see the failed tasks and the log above");
' "$WK_TEST_RESULTS_DIR" "$status"
exit $status
