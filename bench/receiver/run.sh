#!/usr/bin/env bash
# PUT /v1/host-health/:host — the receiver (Node, express 5) against a minimal Starlette app under
# uvicorn, both writing to the same MongoDB-wire server, one after the other in the same run:
#   1. max throughput: wrk -t2 -c64 for DURATION s each (closed loop);
#   2. fixed rate, open loop (latency from the scheduled send time): each server at 80 % of its own
#      max, then the receiver at 5,000 req/s — the overload phase last, so what it leaves behind
#      cannot poison another phase; before each phase the receiver must be idle again (nothing in
#      flight, outbox drained; at most 60 s);
#   3. RSS: the receiver's after the 80 % phase, and peak RSS (VmHWM) of each server process at the end.
# Writes bench/results/receiver.md. Usage: bash bench/receiver/run.sh [DURATION_S]   (npm run bench:receiver)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-20}"
rate=5000
cd "$root"
bash "$here/setup.sh"
[ -f .run/env ] && . .run/env
# BENCH_MONGO_URL: a MongoDB-wire server of the benchmark's own (e.g. a private FerretDB started with
# WATCHKEEPER_RUN_DIR=… MONGO_PORT=27117 tools/infra/mongo.sh start), not shared with test suites.
export MONGO_URL="${BENCH_MONGO_URL:-${MONGO_URL:-mongodb://127.0.0.1:27017}}"
work="$root/bench/.work/receiver"
rm -rf "$work" && mkdir -p "$work"
stamp="$(date +%s)"
admin="bench-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
rport=18080
sport=18081
hosts=100
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  node -e '
    const { MongoClient } = require("mongodb");
    (async () => { const c = await MongoClient.connect(process.env.MONGO_URL);
      for (const d of process.argv.slice(1)) await c.db(d).dropDatabase().catch(() => {});
      await c.close(); })();' "wk_bench_receiver_$stamp" "wk_bench_receiver_${stamp}_outbox" "wk_bench_receiver_${stamp}_requests" "wk_bench_starlette_$stamp" || true
}
trap cleanup EXIT

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
uptime_before="$(uptime)"
echo "[bench] building" >&2
npx tsc -b tsconfig.json

start_receiver() { # [NODE_OPTIONS] -> sets rpid
  echo "[bench] starting receiver on :$rport ${1:+(NODE_OPTIONS=$1)}" >&2
  NODE_OPTIONS="${1:-}" WATCHKEEPER_ADMIN_TOKEN="$admin" RECEIVER_PORT=$rport HTTP_HOST=127.0.0.1 RECEIVER_MONGO_DB="wk_bench_receiver_$stamp" \
    RECEIVER_ARTIFACT_DIR="$work/artifacts" RECEIVER_SSH_GROUP="wk-bench-receiver-$stamp" RECEIVER_SSH_FROM_BEGINNING=false TOKEN_CACHE_MS=60000 LOG_LEVEL=warn \
    node apps/receiver/bin/watchkeeper-receiver.js >>"$work/receiver.log" 2>&1 &
  rpid=$!
  pids+=("$rpid")
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$rport/v1/health" >/dev/null && break; sleep 0.2; done
}
start_receiver
export BENCH_TOKENS="$work/tokens.txt"
: >"$BENCH_TOKENS"
for i in $(seq 1 $hosts); do
  curl -fs -X POST -H "authorization: Bearer $admin" -H 'content-type: application/json' -d '{"label":"bench"}' \
    "http://127.0.0.1:$rport/v1/hosts/bench-host-$i/tokens" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s);console.log(t.host+" "+t.token)})' >>"$BENCH_TOKENS"
done

echo "[bench] starting starlette/uvicorn on :$sport" >&2
(cd "$here" && BENCH_DB="wk_bench_starlette_$stamp" exec /usr/bin/python3 -m uvicorn starlette_app:app --host 127.0.0.1 --port $sport \
  --log-level warning --no-access-log >"$work/starlette.log" 2>&1) &
spid=$!
pids+=("$spid")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$sport/" && break; sleep 0.2; done
spid_real="$(pgrep -f "uvicorn starlette_app:app --host 127.0.0.1 --port $sport" | head -1)"

wrk_run() { # name url -> writes $work/<name>.wrk
  wrk -t2 -c64 -d5s -s "$here/put.lua" "$2" >/dev/null # warm-up
  wrk -t2 -c64 -d"${duration}s" --latency -s "$here/put.lua" "$2" >"$work/$1.wrk"
}
echo "[bench] wrk: receiver" >&2
wrk_run receiver "http://127.0.0.1:$rport/"
echo "[bench] wrk: starlette" >&2
wrk_run starlette "http://127.0.0.1:$sport/"

rps() { awk '/^Requests\/sec/ {print $2}' "$work/$1.wrk"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$work/$1.wrk"; }
non2xx() { awk '/Non-2xx/ {print $5}' "$work/$1.wrk"; }
eighty() { node -e 'console.log(Math.floor(Number(process.argv[1]) * 0.8))' "$1"; }
rrate80="$(eighty "$(rps receiver)")"
[ "$rrate80" -ge 1 ] || rrate80=1
srate80="$(eighty "$(rps starlette)")"
[ "$srate80" -ge 1 ] || srate80=1
# The receiver is idle: nothing in flight and its outbox empty (or 60 s passed: noted in the results).
metric() { curl -fs "http://127.0.0.1:$rport/metrics" | awk -v m="$1" 'index($0, m) == 1 {print $NF; exit}'; }
wait_idle() {
  local waited=0
  while [ "$waited" -lt 60 ]; do
    [ "$(metric watchkeeper_http_in_flight)" = "0" ] && [ "$(metric watchkeeper_outbox_pending)" = "0" ] && { echo "$waited"; return; }
    sleep 1
    waited=$((waited + 1))
  done
  echo "60 (not idle: in flight $(metric watchkeeper_http_in_flight), outbox $(metric watchkeeper_outbox_pending))"
}
echo "[bench] fixed rate: receiver at $rrate80/s, starlette at $srate80/s, receiver at $rate/s" >&2
idle80="$(wait_idle)"
node "$here/fixed-rate.cjs" "http://127.0.0.1:$rport/v1/host-health" "$rrate80" "$duration" >"$work/receiver.fixed80.json"
rss80="$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$rpid/status")"
node "$here/fixed-rate.cjs" "http://127.0.0.1:$sport/v1/host-health" "$srate80" "$duration" >"$work/starlette.fixed80.json"
idle5k="$(wait_idle)"
shed_before="$(curl -fs "http://127.0.0.1:$rport/metrics" | awk '/^watchkeeper_http_shed_total/ {n += $NF} END {print n + 0}')"
node "$here/fixed-rate.cjs" "http://127.0.0.1:$rport/v1/host-health" $rate "$duration" >"$work/receiver.fixed.json"
shed_after="$(curl -fs "http://127.0.0.1:$rport/metrics" | awk '/^watchkeeper_http_shed_total/ {n += $NF} END {print n + 0}')"
idle_after="$(wait_idle)"

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
rrss="$(hwm "$rpid")"
srss="$(hwm "$spid_real")"
kill "$spid" "$spid_real" 2>/dev/null || true

# Memory with V8 heap limits (as the heartbeat-server's bin sets them): a fresh receiver on the same
# database (tokens stored there), the closed-loop and the 80 % phases again, then its peak RSS.
v8flags="--max-semi-space-size=8 --max-old-space-size=192"
kill "$rpid" && wait "$rpid" 2>/dev/null || true
sleep 15 # the MongoDB-wire server finishes what the overload left queued
start_receiver "$v8flags"
curl -fs "http://127.0.0.1:$rport/v1/health" >/dev/null || { echo "[bench] the receiver with V8 flags did not start; see $work/receiver.log" >&2; exit 1; }
wrk -t2 -c64 -d"${duration}s" --latency -s "$here/put.lua" "http://127.0.0.1:$rport/" >"$work/receiver-v8.wrk"
node "$here/fixed-rate.cjs" "http://127.0.0.1:$rport/v1/host-health" "$rrate80" "$duration" >"$work/receiver-v8.fixed80.json"
rrss_v8="$(hwm "$rpid")"
uptime_after="$(uptime)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

V8FLAGS="$v8flags" RRSS_V8="$rrss_v8" RPS_V8="$(rps receiver-v8)" P99_V8="$(pct receiver-v8 99%)" UPTIME_BEFORE="$uptime_before" UPTIME_AFTER="$uptime_after" IDLE80="$idle80" IDLE5K="$idle5k" IDLE_AFTER="$idle_after" RSS80="$rss80" SHED="$((shed_after - shed_before))" \
LOAD_BEFORE="$load_before" LOAD_AFTER="$load_after" node - "$work" "$rrss" "$srss" "$duration" "$(rps receiver)" "$(rps starlette)" "$(pct receiver 50%)" "$(pct receiver 99%)" "$(pct starlette 50%)" "$(pct starlette 99%)" "$(non2xx receiver)" "$(non2xx starlette)" <<'JS' >"$root/bench/results/receiver.md"
const fs = require('fs');
const os = require('os');
const [work, rrss, srss, duration, rRps, sRps, r50, r99, s50, s99, rBad, sBad] = process.argv.slice(2);
const rf = JSON.parse(fs.readFileSync(`${work}/receiver.fixed.json`, 'utf8'));
const rf80 = JSON.parse(fs.readFileSync(`${work}/receiver.fixed80.json`, 'utf8'));
const sf = JSON.parse(fs.readFileSync(`${work}/starlette.fixed80.json`, 'utf8'));
const row = (name, f) => `| ${name} | ${f.targetRate} | ${f.answeredRate} | ${f.achievedRate} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.max} | ${f.shed} | ${f.non2xx - f.shed} | ${f.errors} |`;
const ratio = (Number(rRps) / Number(sRps)).toFixed(2);
const ok = (c) => (c ? 'met' : '**not met**');
const out = `# Benchmark: PUT /v1/host-health/:host — receiver vs. Starlette/uvicorn

Run by \`bash bench/receiver/run.sh\` (\`npm run bench:receiver\`) on ${new Date().toISOString().slice(0, 10)}; ${os.cpus().length} cores (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB.
Both servers, the load generator and the MongoDB-wire server (${process.env.MONGO_URL}) share this machine, one server measured at a time. Requests cycle through 100 hosts, each with its own token.\nLoad average (1/5/15 min) before the run: ${process.env.LOAD_BEFORE}; after: ${process.env.LOAD_AFTER} — other work on the machine (and on the shared MongoDB-wire server) shows here and skews both servers' figures.
\`uptime\` before: \`${process.env.UPTIME_BEFORE.trim()}\`; after: \`${process.env.UPTIME_AFTER.trim()}\`.

- **receiver**: \`node apps/receiver/bin/watchkeeper-receiver.js\` (one process): bearer token (verified against MongoDB, then cached: \`TOKEN_CACHE_MS=60000\` here, as the Starlette app keeps its tokens in memory), body validated against the contract, snapshot replaced and its host-health event written to the outbox (group commit: one bulk write per batch), event published to Kafka by the relay.
- **starlette**: \`bench/receiver/starlette_app.py\` under \`uvicorn\` (one worker): bearer token compared in constant time, JSON parsed, snapshot replaced with pymongo in the thread pool. No outbox, no Kafka.

## Max throughput (wrk -t2 -c64, ${duration} s, closed loop)

| server | req/s | p50 | p99 | non-2xx |
| --- | ---: | ---: | ---: | ---: |
| receiver | ${rRps} | ${r50} | ${r99} | ${rBad || 0} |
| starlette | ${sRps} | ${s50} | ${s99} | ${sBad || 0} |

**Ratio receiver / starlette: ${ratio}×** (target ≥ 3×: ${ok(Number(ratio) >= 3)}).

## Fixed rate (open loop, latency from the scheduled send time, ${duration} s)

In this order: receiver at 80 % of its max, Starlette at 80 % of its max, receiver at 5,000 req/s (the
overload phase last). Before a receiver phase it had to be idle (nothing in flight, outbox empty): it
was after ${process.env.IDLE80} s and ${process.env.IDLE5K} s; after the overload phase after ${process.env.IDLE_AFTER} s.
"answered" counts every answer; "2xx" and the percentiles only successful ones; "shed" are 503
\`overloaded\` answers (load shedding, \`RECEIVER_MAX_IN_FLIGHT\` 128); errors are connection errors and
requests still unanswered 10 s after the last send.

| server | target req/s | answered req/s | 2xx req/s | p50 ms | p90 ms | p99 ms | max ms | shed (503) | other non-2xx | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row('receiver (80 % of its max)', rf80)}
${row('starlette (80 % of its max)', sf)}
${row('receiver', rf)}

The receiver's /metrics counted ${process.env.SHED} shed requests during the 5,000 req/s phase.
Receiver p99 < 20 ms at 5,000 req/s (all 5,000 req/s served): ${ok(rf.p99 !== null && rf.p99 < 20 && rf.errors === 0 && rf.non2xx === 0)}.

## Memory

| server | RSS after its 80 % phase MB | peak RSS (VmHWM) after all runs MB |
| --- | ---: | ---: |
| receiver | ${process.env.RSS80} | ${rrss} |
| starlette | — | ${srss} |

With V8 heap limits (\`NODE_OPTIONS="${process.env.V8FLAGS}"\`, a fresh receiver, the closed-loop and 80 % phases
again — not the overload phase): peak RSS **${process.env.RRSS_V8} MB**; wrk ${process.env.RPS_V8} req/s, p99 ${process.env.P99_V8};
80 % phase: ${(() => { const f = JSON.parse(fs.readFileSync(`${work}/receiver-v8.fixed80.json`, 'utf8')); return `${f.achievedRate} 2xx req/s of ${f.targetRate}, p99 ${f.p99} ms, ${f.shed} shed`; })()}.

Receiver RSS < 150 MB: as deployed (no V8 flags) ${ok(Number(rrss) < 150)}; with the V8 limits above ${ok(Number(process.env.RRSS_V8) < 150)}.
`;
process.stdout.write(out);
JS
cat "$root/bench/results/receiver.md"
