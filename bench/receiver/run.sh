#!/usr/bin/env bash
# PUT /v1/host-health/:host — the receiver (Node, express 5) against a minimal Starlette app under
# uvicorn, both writing to the same MongoDB-wire server, one after the other in the same run:
#   1. max throughput: wrk -t2 -c64 for DURATION s each (closed loop);
#   2. fixed rate, open loop, with vegeta (bench/receiver/vegeta-phase.cjs): each server at 80 % of its
#      own max for DURATION s, then a rate sweep of the receiver (SWEEP, default 1000 1500 2000 3000 4000
#      5000 req/s, SWEEP_S s each) — 5,000 req/s, the target and the overload, last, so what it leaves
#      behind cannot poison another phase; before each receiver phase it must be idle again (nothing in
#      flight, outbox drained; at most 60 s). Each phase also records the CPU time of every process
#      involved (receiver or Starlette, FerretDB, Kafka, vegeta) per request: the CPU budget;
#   3. RSS: the receiver's after the 80 % phase, and peak RSS (VmHWM) of each server process at the end
#      (the receiver runs with its bin's V8 flags, as deployed).
# The MongoDB-wire server is a private FerretDB started and stopped here (port BENCH_MONGO_PORT, default
# 27127), unless BENCH_MONGO_URL names one. Every phase has a time-out, and the results file is written
# even when a phase fails (it says which). Run the final figures under `flock /tmp/wk-bench.lock`.
# Writes bench/results/receiver.md. Usage: bash bench/receiver/run.sh [DURATION_S]   (npm run bench:receiver)
set -uo pipefail # not -e: a failed phase is reported in the results file, it does not stop the run
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-20}"
rate=5000
sweep="${SWEEP:-1000 1500 2000 3000 4000 5000}"
sweep_s="${SWEEP_S:-15}"
cd "$root"
bash "$here/setup.sh" || exit 1
vegeta="${WATCHKEEPER_CACHE:-$HOME/.cache/watchkeeper}/bin/vegeta"
[ -f .run/env ] && . .run/env
work="$root/bench/.work/receiver"
rm -rf "$work" && mkdir -p "$work"
# The MongoDB-wire server: BENCH_MONGO_URL if given, else a private FerretDB started (and stopped) here,
# so the overload phase cannot disturb anyone else's tests and a wedged server cannot outlive the run.
mongo_run="$work/mongo-run"
private_mongo=""
if [ -n "${BENCH_MONGO_URL:-}" ]; then
  export MONGO_URL="$BENCH_MONGO_URL"
else
  bench_mongo_port="${BENCH_MONGO_PORT:-27127}"
  env -u MONGO_URL WATCHKEEPER_RUN_DIR="$mongo_run" MONGO_PORT="$bench_mongo_port" timeout 300 bash tools/infra/mongo.sh start >&2 || { echo "[bench] could not start a private MongoDB-wire server" >&2; exit 1; }
  export MONGO_URL="mongodb://127.0.0.1:$bench_mongo_port"
  private_mongo=1
fi
stamp="$(date +%s)"
admin="bench-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
rport=18080
sport=18081
hosts=100
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$private_mongo" ]; then
    env -u MONGO_URL WATCHKEEPER_RUN_DIR="$mongo_run" MONGO_PORT="$bench_mongo_port" timeout 60 bash tools/infra/mongo.sh stop >&2 || true
    rm -rf "$mongo_run"
  else
    timeout 60 node -e '
      const { MongoClient } = require("mongodb");
      (async () => { const c = await MongoClient.connect(process.env.MONGO_URL, { timeoutMS: 20000 });
        for (const d of process.argv.slice(1)) await c.db(d).dropDatabase().catch(() => {});
        await c.close(); })();' "wk_bench_receiver_$stamp" "wk_bench_receiver_${stamp}_outbox" "wk_bench_receiver_${stamp}_requests" "wk_bench_starlette_$stamp" || true
  fi
}
trap cleanup EXIT

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
uptime_before="$(uptime)"
echo "[bench] building" >&2
npx tsc -b tsconfig.json || exit 1

# As deployed: the V8 flags of the bin's #! line (heap limits) apply here too.
bin="apps/receiver/bin/watchkeeper-receiver.js"
v8flags="$(head -1 "$bin" | sed -n 's/^#!.* node \(.*\)$/\1/p')"
echo "[bench] starting receiver on :$rport (node $v8flags)" >&2
# shellcheck disable=SC2086 # the flags are words
WATCHKEEPER_ADMIN_TOKEN="$admin" RECEIVER_PORT=$rport HTTP_HOST=127.0.0.1 RECEIVER_MONGO_DB="wk_bench_receiver_$stamp" \
  RECEIVER_ARTIFACT_DIR="$work/artifacts" RECEIVER_SSH_GROUP="wk-bench-receiver-$stamp" RECEIVER_SSH_FROM_BEGINNING=false TOKEN_CACHE_MS=60000 LOG_LEVEL=warn \
  node $v8flags "$bin" >>"$work/receiver.log" 2>&1 &
rpid=$!
pids+=("$rpid")
for _ in $(seq 1 300); do curl -fs -m 2 "http://127.0.0.1:$rport/v1/health" >/dev/null && break; sleep 0.2; done
export BENCH_TOKENS="$work/tokens.txt"
: >"$BENCH_TOKENS"
for i in $(seq 1 $hosts); do
  curl -fs -m 10 -X POST -H "authorization: Bearer $admin" -H 'content-type: application/json' -d '{"label":"bench"}' \
    "http://127.0.0.1:$rport/v1/hosts/bench-host-$i/tokens" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const t=JSON.parse(s);console.log(t.host+" "+t.token)})' >>"$BENCH_TOKENS"
done
[ "$(wc -l <"$BENCH_TOKENS")" -eq "$hosts" ] || { echo "[bench] could not create the $hosts host tokens; see $work/receiver.log" >&2; exit 1; }

echo "[bench] starting starlette/uvicorn on :$sport" >&2
(cd "$here" && BENCH_DB="wk_bench_starlette_$stamp" exec /usr/bin/python3 -m uvicorn starlette_app:app --host 127.0.0.1 --port $sport \
  --log-level warning --no-access-log >"$work/starlette.log" 2>&1) &
spid=$!
pids+=("$spid")
for _ in $(seq 1 100); do curl -s -m 2 -o /dev/null "http://127.0.0.1:$sport/" && break; sleep 0.2; done
spid_real="$(pgrep -f "uvicorn starlette_app:app --host 127.0.0.1 --port $sport" | head -1)"

# Every phase is bounded (timeout): a server that stops answering ends the phase, not the run.
wrk_run() { # name url -> writes $work/<name>.wrk
  timeout 30 wrk -t2 -c64 -d5s -s "$here/put.lua" "$2" >/dev/null # warm-up
  timeout $((duration + 30)) wrk -t2 -c64 -d"${duration}s" --timeout 10s --latency -s "$here/put.lua" "$2" >"$work/$1.wrk"
}
echo "[bench] wrk: receiver" >&2
wrk_run receiver "http://127.0.0.1:$rport/"
echo "[bench] wrk: starlette" >&2
wrk_run starlette "http://127.0.0.1:$sport/"

rps() { awk '/^Requests\/sec/ {print $2}' "$work/$1.wrk"; }
# 2xx answers per second over wrk's own elapsed time (as its req/s): wrk counts 503s (load shed) as
# requests too; they must not flatter a server.
ok_rps() { awk '/requests in/ {n = $1; t = $4; sub(/,$/, "", t); if (t ~ /ms$/) t = t / 1000; else if (t ~ /m$/) t = t * 60; else t = t + 0} /Non-2xx/ {bad = $5} END {if (n == "" || t <= 0) print 0; else printf "%.1f", (n - bad) / t}' "$work/$1.wrk"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$work/$1.wrk"; }
non2xx() { awk '/Non-2xx/ {print $5}' "$work/$1.wrk"; }
eighty() { node -e 'console.log(Math.max(1, Math.floor(Number(process.argv[1] || 0) * 0.8)))' "$1"; }
rrate80="$(eighty "$(ok_rps receiver)")"
srate80="$(eighty "$(ok_rps starlette)")"
# The receiver is idle: nothing in flight and its outbox empty (or 60 s passed: noted in the results).
metric() { curl -fs -m 5 "http://127.0.0.1:$rport/metrics" | awk -v m="$1" 'index($0, m) == 1 {print $NF; exit}'; }
wait_idle() {
  local waited=0
  while [ "$waited" -lt 60 ]; do
    [ "$(metric watchkeeper_http_in_flight)" = "0" ] && [ "$(metric watchkeeper_outbox_pending)" = "0" ] && { echo "$waited"; return; }
    sleep 1
    waited=$((waited + 1))
  done
  echo "60 (not idle: in flight $(metric watchkeeper_http_in_flight), outbox $(metric watchkeeper_outbox_pending))"
}
mongo_pid="$( [ -n "$private_mongo" ] && cat "$mongo_run/mongo/mongo.pid" 2>/dev/null)"
# The broker the receiver talks to: the run dir's own when there is one, else the first on the machine.
kafka_pid="$(cat "${WATCHKEEPER_RUN_DIR:-$root/.run}/kafka/kafka.pid" 2>/dev/null || pgrep -f 'kafka\.Kafka' | head -1)"
phase() { # name url rate seconds label=pid... -> $work/<name>.json
  local name="$1" url="$2" r="$3" s="$4"
  shift 4
  timeout $((s + 120)) node "$here/vegeta-phase.cjs" "$vegeta" "$url" "$r" "$s" "$work" "$name" "$@" kafka="$kafka_pid" ${mongo_pid:+ferretdb=$mongo_pid} >"$work/$name.json" \
    || echo '{"failed":true}' >"$work/$name.json"
  echo "[bench] $name: $(cat "$work/$name.json")" >&2
}
echo "[bench] fixed rate (vegeta): receiver at $rrate80/s, starlette at $srate80/s, receiver sweep $sweep req/s" >&2
idle80="$(wait_idle)"
phase receiver.fixed80 "http://127.0.0.1:$rport/v1/host-health" "$rrate80" "$duration" receiver="$rpid"
rss80="$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$rpid/status" 2>/dev/null)"
phase starlette.fixed80 "http://127.0.0.1:$sport/v1/host-health" "$srate80" "$duration" starlette="$spid_real"
shed_total() { curl -fs -m 5 "http://127.0.0.1:$rport/metrics" | awk '/^watchkeeper_http_shed_total/ {n += $NF} END {print n + 0}'; }
idle_sweep=""
for r in $sweep; do
  idle_sweep="$idle_sweep $(wait_idle | cut -d' ' -f1)"
  shed_before="$(shed_total)"
  phase "receiver.sweep$r" "http://127.0.0.1:$rport/v1/host-health" "$r" "$sweep_s" receiver="$rpid"
  echo "$(( $(shed_total) - shed_before ))" >"$work/receiver.sweep$r.shed"
done
# Overload: twice the capacity just measured, open loop — the most 2xx/s the receiver gave in this run
# (wrk's closed loop, its 80 % phase or a sweep phase: on a machine shared with other work, wrk's short
# closed loop alone can catch a bad moment). What is refused must be refused cheaply enough that what
# is accepted is still served: goodput and its p99.
capacity="$(node -e '
  const fs = require("fs"), [work, wrk, ...names] = process.argv.slice(1);
  const rates = names.map((n) => { try { return JSON.parse(fs.readFileSync(`${work}/${n}.json`, "utf8")).achievedRate || 0; } catch { return 0; } });
  console.log(Math.max(Number(wrk) || 0, ...rates));' "$work" "$(ok_rps receiver)" receiver.fixed80 $(for r in $sweep; do echo "receiver.sweep$r"; done))"
echo "$capacity" >"$work/capacity"
overload_rate="$(node -e 'console.log(Math.round(2 * Number(process.argv[1] || 0)))' "$capacity")"
overload_s="${OVERLOAD_S:-$sweep_s}"
idle_overload="$(wait_idle | cut -d' ' -f1)"
shed_before="$(shed_total)"
phase receiver.overload "http://127.0.0.1:$rport/v1/host-health" "$overload_rate" "$overload_s" receiver="$rpid"
echo "$(( $(shed_total) - shed_before ))" >"$work/receiver.overload.shed"
idle_after="$(wait_idle)"

# The framework floor (CPU budget): express 5 + helmet + express.json alone, no database, at the same
# generator and rates; it runs after every receiver phase, on its own port, and is stopped at once.
floor_rates="${FLOOR_RATES:-2000 3000 5000}"
fport=18082
node "$here/floor_app.cjs" "$fport" >"$work/floor.log" 2>&1 &
fpid=$!
pids+=("$fpid")
for _ in $(seq 1 50); do curl -s -m 2 -o /dev/null -X PUT "http://127.0.0.1:$fport/v1/host-health/x" && break; sleep 0.2; done
phase floor.warmup "http://127.0.0.1:$fport/v1/host-health" 1000 3 floor="$fpid" # JIT warm-up, as wrk's warm-up for the servers; not reported
for r in $floor_rates; do phase "floor.$r" "http://127.0.0.1:$fport/v1/host-health" "$r" "$sweep_s" floor="$fpid"; done
kill "$fpid" 2>/dev/null

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null; }
rrss="$(hwm "$rpid")"
srss="$(hwm "$spid_real")"
uptime_after="$(uptime)"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

V8FLAGS="$v8flags" UPTIME_BEFORE="$uptime_before" UPTIME_AFTER="$uptime_after" IDLE80="$idle80" IDLE_SWEEP="$idle_sweep" IDLE_AFTER="$idle_after" RSS80="$rss80" \
FLOOR_RATES="$floor_rates" BENCH_NOTES="$here/notes.md" SWEEP="$sweep" SWEEP_S="$sweep_s" RATE="$rate" VEGETA_VERSION="$(cat "$(dirname "$vegeta")/vegeta.version" 2>/dev/null)" \
OVERLOAD_S="$overload_s" IDLE_OVERLOAD="$idle_overload" \
LOAD_BEFORE="$load_before" LOAD_AFTER="$load_after" PRIVATE_MONGO="$private_mongo" node - "$work" "$rrss" "$srss" "$duration" "$(rps receiver)" "$(rps starlette)" "$(ok_rps receiver)" "$(ok_rps starlette)" "$(pct receiver 50%)" "$(pct receiver 99%)" "$(pct starlette 50%)" "$(pct starlette 99%)" "$(non2xx receiver)" "$(non2xx starlette)" <<'JS' >"$root/bench/results/receiver.md"
const fs = require('fs');
const os = require('os');
const [work, rrss, srss, duration, rRps, sRps, rOk, sOk, r50, r99, s50, s99, rBad, sBad] = process.argv.slice(2);
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${work}/${f}`, 'utf8')); } catch { return { failed: true }; } };
const env = process.env;
const sweep = env.SWEEP.trim().split(/\s+/).map(Number);
const target = Number(env.RATE);
const sw = sweep.map((r) => ({ rate: r, f: read(`receiver.sweep${r}.json`), shedMetric: (() => { try { return fs.readFileSync(`${work}/receiver.sweep${r}.shed`, 'utf8').trim(); } catch { return '—'; } })() }));
const rf80 = read('receiver.fixed80.json');
const sf = read('starlette.fixed80.json');
const v = (x) => (x === undefined || x === null || x === '' ? '—' : x);
/** Met at a rate: the rate kept by the generator (vegeta may end one request short), every request answered 2xx, p99 of them under 20 ms. */
const holds = (f) => !f.failed && f.p99 !== null && f.p99 < 20 && f.errors === 0 && f.non2xx === 0 && f.sendRate >= 0.99 * f.targetRate;
const row = (name, f) => (f.failed ? `| ${name} | (phase failed or timed out) | | | | | | | | | | |` : `| ${name} | ${f.targetRate} | ${f.sendRate} | ${f.answeredRate} | ${f.achievedRate} | ${v(f.p50)} | ${v(f.p90)} | ${v(f.p99)} | ${v(f.max)} | ${f.shed} | ${f.non2xx - f.shed} | ${f.errors} |`);
const cpuCell = (f, k) => (f.failed || !f.cpu || !f.cpu[k] ? '—' : `${f.cpu[k].msPerRequest}`);
const cores = (f) => (f.failed ? '—' : (f.machineBusyS / f.elapsedS).toFixed(2));
const server = (f) => (f.cpu && f.cpu.starlette ? 'starlette' : f.cpu && f.cpu.floor ? 'floor' : 'receiver');
const cpuRow = (name, f) => `| ${name} | ${cpuCell(f, server(f))} | ${cpuCell(f, 'ferretdb')} | ${cpuCell(f, 'kafka')} | ${cpuCell(f, 'vegeta')} | ${f.failed ? '—' : (['receiver', 'starlette', 'floor', 'ferretdb', 'kafka', 'vegeta'].reduce((s, k) => s + (f.cpu && f.cpu[k] ? f.cpu[k].msPerRequest : 0), 0)).toFixed(3)} | ${cores(f)} |`;
const floor = (env.FLOOR_RATES || '').trim().split(/\s+/).filter(Boolean).map((r) => ({ rate: Number(r), f: read(`floor.${r}.json`) }));
const floorRow = (x) => (x.f.failed ? `| ${x.rate} | (phase failed) | | | | | | |` : `| ${x.rate} | ${x.f.sendRate} | ${x.f.achievedRate} | ${v(x.f.p50)} | ${v(x.f.p99)} | ${x.f.errors} | ${cpuCell(x.f, 'floor')} | ${cpuCell(x.f, 'vegeta')} | ${cores(x.f)} |`);
const ov = read('receiver.overload.json');
const capacity = Number(fs.readFileSync(`${work}/capacity`, 'utf8').trim());
const goodShare = ov.failed || !(capacity > 0) ? NaN : ov.achievedRate / capacity;
const overloadHolds = !ov.failed && goodShare >= 0.85 && ov.p99 !== null && ov.p99 <= 1000;
const vegetaCores = (f) => (f.failed || !f.cpu || !f.cpu.vegeta ? '—' : ((f.cpu.vegeta.msPerRequest * f.sendRate) / 1000).toFixed(2));
const ratio = Number(sOk) > 0 ? Number(rOk) / Number(sOk) : NaN;
const verdict = (c) => (c ? '**met**' : '**NOT met**');
const rf = (sw.find((x) => x.rate === target) || { f: { failed: true } }).f;
const best = sw.filter((x) => holds(x.f)).map((x) => x.rate).sort((a, b) => b - a)[0];
// The CPU budget from the sweep phase with the most 2xx answers per second among those where the
// generator kept the rate: CPU per request sent there x the target rate (its shed share is shown).
const served = sw.filter((x) => !x.f.failed && x.f.sendRate >= 0.99 * x.rate).sort((a, b) => b.f.achievedRate - a.f.achievedRate)[0];
const need = served ? ['receiver', 'ferretdb', 'kafka', 'vegeta'].reduce((s, k) => s + (served.f.cpu[k] ? served.f.cpu[k].msPerRequest : 0), 0) * target / 1000 : NaN;
const out = `# Benchmark: PUT /v1/host-health/:host — receiver vs. Starlette/uvicorn

Written by \`bash bench/receiver/run.sh\` (\`npm run bench:receiver\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${os.cpus().length} cores (${os.cpus()[0].model}), ${Math.round(os.totalmem() / 2 ** 30)} GiB.
Both servers, the load generators, Kafka and the MongoDB-wire server (${env.MONGO_URL}${env.PRIVATE_MONGO ? ', a private FerretDB started and stopped by the script' : ''}) share this machine; one server is measured at a time. Requests cycle through 100 hosts, each with its own token.
Load average (1/5/15 min) before: ${env.LOAD_BEFORE}; after: ${env.LOAD_AFTER}.
\`uptime\` before: \`${env.UPTIME_BEFORE.trim()}\`; after: \`${env.UPTIME_AFTER.trim()}\`.

## Targets

| target | result |
| --- | --- |
| ≥ 3× the Starlette app's req/s (2xx answers, wrk closed loop) | ${verdict(ratio >= 3)}: ${Number.isFinite(ratio) ? ratio.toFixed(2) : '—'}× (${rOk} vs ${sOk} 2xx req/s) |
| p99 < 20 ms at ${target.toLocaleString('en')} req/s, every request answered 2xx (withdrawn by issue 13: it needs more cores than this machine has) | ${!sweep.includes(target) ? 'not run' : verdict(holds(rf))}: ${!sweep.includes(target) ? `this run's sweep (SWEEP=${sweep.join(' ')}) left it out` : rf.failed ? 'phase failed' : `${rf.achievedRate} 2xx req/s of ${rf.targetRate}, p99 of 2xx ${v(rf.p99)} ms, ${rf.shed} shed (503), ${rf.errors} errors/unanswered`}. Highest rate of the sweep at which it holds: ${best ? `**${best} req/s**` : '**none**'}. CPU it would take at ${target.toLocaleString('en')} req/s at the per-request costs measured at ${served ? `${served.rate} req/s (${(100 * served.f.shed / Math.max(1, served.f.sent)).toFixed(0)} % of it shed)` : '—'}: **${Number.isFinite(need) ? need.toFixed(2) : '—'} cores** of the machine's ${os.cpus().length} (see CPU budget) |
| at twice the measured capacity (open loop): goodput ≥ 85 % of capacity, p99 of 2xx ≤ 1 s, refusals cheap | ${verdict(overloadHolds)}: ${ov.failed ? 'phase failed' : `${ov.achievedRate} 2xx req/s at ${ov.targetRate} req/s offered = ${(100 * goodShare).toFixed(0)} % of the ${capacity} 2xx req/s capacity, p99 of 2xx ${v(ov.p99)} ms, ${ov.shed} refused (503), ${ov.errors} errors/unanswered; the generator itself took ${vegetaCores(ov)} cores`} (see Overload) |
| RSS < 150 MB (peak, VmHWM, as deployed: \`node ${env.V8FLAGS}\`) | ${verdict(Number(rrss) > 0 && Number(rrss) < 150)}: ${v(rrss)} MB |

- **receiver**: \`node ${env.V8FLAGS} apps/receiver/bin/watchkeeper-receiver.js\` (the bin's own V8 flags): bearer token (verified against MongoDB, then cached: \`TOKEN_CACHE_MS=60000\` here, as the Starlette app keeps its tokens in memory), body validated against the contract, the snapshot stored as ONE inserted document — its host-health event in the outbox (group commit: one insertMany per batch, one in flight), folded into the latest-per-host collection in the background, event published to Kafka by the relay; 503 + Retry-After beyond the queue-time budget (\`RECEIVER_MAX_QUEUE_MS\`, default 50).
- **starlette**: \`bench/receiver/starlette_app.py\` under \`uvicorn\` (one worker): bearer token compared in constant time, JSON parsed, snapshot replaced with pymongo in the thread pool. No outbox, no Kafka, no shedding.

## Max throughput (wrk -t2 -c64, ${duration} s, closed loop)

| server | req/s (all answers) | 2xx req/s | p50 | p99 | non-2xx |
| --- | ---: | ---: | ---: | ---: | ---: |
| receiver | ${v(rRps)} | ${v(rOk)} | ${v(r50)} | ${v(r99)} | ${rBad || 0} |
| starlette | ${v(sRps)} | ${v(sOk)} | ${v(s50)} | ${v(s99)} | ${sBad || 0} |

## Fixed rate (open loop, vegeta ${v(env.VEGETA_VERSION)})

In this order: receiver at 80 % of its 2xx max and Starlette at 80 % of its max (${duration} s each), then the
receiver at ${sweep.join(', ')} req/s (${env.SWEEP_S} s each; ${target.toLocaleString('en')} req/s, the overload, last). Before each receiver
phase it had to be idle (nothing in flight, outbox empty): it was after ${env.IDLE80} s (80 %) and${env.IDLE_SWEEP} s (sweep);
after the last phase after ${env.IDLE_AFTER} s.

How vegeta measures: one result per request sent, its latency from the moment a worker starts it (on
schedule while workers last), including any wait for one of at most 256 connections per server (as the
earlier Node generator's 256 sockets), to the end of the answer. It keeps the rate by adding workers
(here up to 20,000, i.e. a 4 s stall at 5,000 req/s), so a slow server does not slow the sending and a
stall counts against every request sent into it. Had the workers run out, sends would have been late
(coordinated omission): "sent/s" below the target shows it. (Without the connection cap, an overloaded
server got thousands of new connections: vegeta then spent 1–2 ms of CPU per request on the same two
cores, fell behind, and the receiver's peak RSS rose by ≈15 MB of sockets.)
"answered" counts every answer; "2xx" and the percentiles only successful ones; "shed" are 503
\`overloaded\` answers; errors are connection errors and requests unanswered after 10 s.

| server | target req/s | sent/s | answered/s | 2xx/s | p50 ms | p90 ms | p99 ms | max ms | shed (503) | other non-2xx | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row('receiver (80 % of its max)', rf80)}
${row('starlette (80 % of its max)', sf)}
${sw.map((x) => row(`receiver${holds(x.f) ? ' (p99 < 20 ms, all 2xx)' : ''}`, x.f)).join('\n')}

The receiver's /metrics counted as shed during the sweep phases: ${sw.map((x) => `${x.rate}/s: ${x.shedMetric}`).join(', ')}.

## Overload: twice the measured capacity (open loop)

After the sweep (idle again after ${env.IDLE_OVERLOAD} s): the receiver at twice its capacity — the most 2xx/s it gave in this run
(wrk, its 80 % phase or a sweep phase) — for
${env.OVERLOAD_S} s, same generator and connection cap. Refusals are decided at the HTTP server, before
express (\`LoadShedder.front\`: a pre-built 503 + Retry-After), so the CPU they take is what is left
after the accepted requests. "goodput" is 2xx/s; the percentiles are of the 2xx answers; the generator's
own CPU (vegeta, from /usr/bin/time) is on the same 2 cores as everything else.

| capacity (2xx/s) | target req/s | sent/s | answered/s | 2xx/s (goodput) | goodput / capacity | p50 ms | p99 ms | max ms | refused (503) | errors | vegeta ms/req | vegeta cores | receiver ms/req | FerretDB ms/req |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${ov.failed ? '| (phase failed or timed out) |' : `| ${capacity} | ${ov.targetRate} | ${ov.sendRate} | ${ov.answeredRate} | ${ov.achievedRate} | ${(100 * goodShare).toFixed(0)} % | ${v(ov.p50)} | ${v(ov.p99)} | ${v(ov.max)} | ${ov.shed} | ${ov.errors} | ${cpuCell(ov, 'vegeta')} | ${vegetaCores(ov)} | ${cpuCell(ov, 'receiver')} | ${cpuCell(ov, 'ferretdb')} |`}

## CPU budget (CPU time per request sent, ms, from /proc/<pid>/stat over each phase)

Kafka is the shared broker of the machine (other engineers' idle clients included). "machine" is the
CPU time of the whole machine during the phase (the schedule and the wait for the last answers) over
its length, in cores (2 at most).

| phase | server | FerretDB | Kafka | vegeta | sum | machine busy (cores) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${cpuRow('receiver (80 % of its max)', rf80)}
${cpuRow('starlette (80 % of its max)', sf)}
${sw.map((x) => cpuRow(`receiver at ${x.rate}/s`, x.f)).join('\n')}
${cpuRow(`receiver at 2× capacity (${ov.targetRate ?? '—'}/s)`, ov)}

### The framework floor

\`bench/receiver/floor_app.cjs\`: express 5 + helmet + express.json answering the same PUT with the same
answer shape — no token, no validation, no database, no Kafka — driven by the same generator after the
receiver's phases. The receiver cannot cost less per request than this while it is built on express 5
and helmet.

| target req/s | sent/s | 2xx/s | p50 ms | p99 ms | errors | floor app ms/req | vegeta ms/req | machine busy (cores) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${floor.map(floorRow).join('\n')}

## Memory

| server | RSS after its 80 % phase MB | peak RSS (VmHWM) after all runs MB |
| --- | ---: | ---: |
| receiver | ${v(env.RSS80)} | ${v(rrss)} |
| starlette | — | ${v(srss)} |

${fs.readFileSync(`${env.BENCH_NOTES}`, 'utf8')}`;
process.stdout.write(out);
JS
cat "$root/bench/results/receiver.md"
