#!/usr/bin/env bash
# `npm test`: installs what is missing, builds and lints, starts the tests' own real servers (Kafka,
# MongoDB-wire, Prosody; tools/infra/test-stack.sh: own ports, data folder .run/test; on a Kafka the
# user named, a per-run topic prefix: tools/test-external.sh), runs every
# project's suites one project at a time, stops and deletes what it started, checks that `npm start`'s
# data folder holds nothing of the tests (tools/npm-start-state.cjs), and prints one closing line.
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
  if [ "$started_infra" = 1 ]; then bash tools/infra/test-stack.sh down >&2 || true; fi
}
trap cleanup EXIT

jest_args=()
if [ "$mode" = unit ]; then
  jest_args+=(--passWithNoTests --testPathIgnorePatterns '\.int\.spec\.ts$')
else
  bash tools/install-chromium.sh # Debian chromium for the dashboard's browser tests (idempotent)
  bash tools/install-journal-remote.sh # writes real journal files for the journald source's tests (idempotent)
  # The tests' own servers, ports and data folder (.run/test), never `npm start`'s (.run, default
  # ports): started here, stopped and deleted when the run ends. A test stack left up by an earlier
  # `tools/infra/test-stack.sh up` is reused and left up.
  echo "[test] Kafka, MongoDB-wire server and Prosody of the tests" >&2
  node tools/npm-start-state.cjs snapshot "$root/test-artifacts/npm-start-state.json"
  if ! infra_state=$(bash tools/infra/test-stack.sh up); then bash tools/infra/test-stack.sh down >&2 || true; exit 1; fi
  if [ "$infra_state" = started ]; then started_infra=1; fi
  test_env=$(bash tools/infra/test-stack.sh env)
  # shellcheck disable=SC1090
  source "$test_env"
  export WATCHKEEPER_RUN_DIR="${test_env%/env}" # what suites that read a run dir (local-stack.cjs) use
  # Servers the user named (KAFKA_BROKERS, MONGO_URL, XMPP_SERVICE) are shared: note what is there
  # now, keep to a per-run topic prefix on an external Kafka, and delete what the run adds at the end.
  # shellcheck source=test-external.sh
  . tools/test-external.sh
  wk_test_external_begin "$root/test-artifacts/external-before.json"
  external_cleanup=$WK_TEST_EXTERNAL
fi
status=0
npx nx run-many -t test --parallel=1 --outputStyle=static -- "${jest_args[@]}" || status=$?

if [ "$mode" = all ]; then
  wk_test_external_end "$root/test-artifacts/external-before.json" || status=1
  if [ "$started_infra" = 1 ]; then bash tools/infra/test-stack.sh down >&2; started_infra=0; fi
  # What the README promises: after `npm test`, `npm start` in this checkout starts empty.
  echo "[test] npm start after npm test: nothing of the tests' left" >&2
  WK_TEST_EXTERNAL_SERVERS=$external_cleanup WK_TEST_STACK_REUSED=$([ "$infra_state" = reused ] && echo 1 || echo 0) \
    node tools/npm-start-state.cjs check "$root/test-artifacts/npm-start-state.json" || status=1
fi

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
