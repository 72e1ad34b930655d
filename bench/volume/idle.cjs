#!/usr/bin/env node
// Benchmark: what the whole stack costs when nothing happens, and whether that grows with stored
// history. The local stack as `npm start` runs it (tools/local-stack.cjs: five services, three
// heartbeat clients, the host reporter) on the infrastructure of the sourced env, in its own databases,
// consumer groups (started at the topics' ends) and run folder. Twice:
//   1× — a busy host's log (BENCH_IDLE_EVENTS sshd events, default 110,000) appended to the file the
//        collector follows, and BENCH_IDLE_ALERTS alerts (default 10,000) produced onto the alerts topic;
//   10× — nine times as much again (≥ 1,000,000 sshd events and ≥ 100,000 alerts stored in all).
// After each load: wait until the receiver's figures are correct and the dispatcher has recorded every
// alert, let the stack settle (BENCH_IDLE_SETTLE_SECONDS, 30), then CPU of every process — the
// services, heartbeat clients, host reporter, Kafka, FerretDB, Prosody — as utime + stime from /proc
// over BENCH_IDLE_SECONDS (60), and each one's peak RSS (VmHWM). Writes bench/results/volume-idle.md
// (the two target rows with met / NOT met, the load average beside each window).
// Usage (own servers, never a user's; the services on WATCHKEEPER_HTTP_PORT_BASE+80…, else random 219x0):
//   npx tsc -b && bash tools/infra/stack.sh start && source .run/env && node bench/volume/idle.cjs
// Profiling a run: BENCH_IDLE_NODE_OPTIONS='--require <hook.cjs>' is passed to every service.
// About 20 minutes at load ≈ 17 on the 2-core machine (the 10× catch-up is most of it).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');

const repo = path.join(__dirname, '../..');
const EVENTS = Number(process.env.BENCH_IDLE_EVENTS ?? 110_000);
const ALERTS = Number(process.env.BENCH_IDLE_ALERTS ?? 10_000);
const IDLE_S = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const SETTLE_S = Number(process.env.BENCH_IDLE_SETTLE_SECONDS ?? 30);
const DAY_MS = 86_400_000;
const HZ = 100; // USER_HZ: /proc's clock ticks (100 on Linux)
const { sleep, load, until } = require('./support.cjs');
const { startLocalStack } = require(path.join(repo, 'tools/local-stack.cjs'));
const mongoose = require(path.join(repo, 'node_modules/mongoose'));
const { createKafka, EventProducer } = require(path.join(repo, 'libs/kafka/dist/index.js'));
const { Topics, consumerGroupId } = require(path.join(repo, 'libs/contracts/dist/index.js'));
const { createLogger } = require(path.join(repo, 'libs/runtime/dist/index.js'));
const { busyHostLog } = require(path.join(repo, 'libs/sshd-parser/dist/index.js'));

/** utime + stime in ticks of a pid (and of its threads: /proc/<pid>/stat sums them). */
function cpuTicks(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

/** Peak resident set (VmHWM, kB) of a pid: the most it ever held, not only during the idle window. */
function peakRssKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function infraPids(runDir) {
  const out = [];
  for (const [name, file] of [['kafka', 'kafka/kafka.pid'], ['mongo (FerretDB)', 'mongo/mongo.pid'], ['prosody', 'prosody/prosody.pid']]) {
    const p = path.join(runDir, file);
    if (fs.existsSync(p)) out.push({ label: name, pid: Number(fs.readFileSync(p, 'utf8').trim()), infra: true });
  }
  return out;
}

/**
 * This run's consumer groups start at the topics' current ends: they read from the beginning by
 * default, and the broker still holds the events of earlier runs (same days, same host), which would
 * be counted again and make the "stored history" of this run bigger than stated.
 */
async function startGroupsAtEnd(kafka, groups) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    for (const [groupId, topic] of groups) {
      if (!existing.has(topic.name)) continue;
      // The ends as numbers (resetOffsets would commit -1, "latest", which a consumer reading from the beginning ignores).
      const ends = await admin.fetchTopicOffsets(topic.name);
      await admin.setOffsets({ groupId, topic: topic.name, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

async function measureIdle(procs) {
  const before = procs.map((p) => cpuTicks(p.pid));
  const t0 = Date.now();
  await sleep(IDLE_S * 1000);
  const secs = (Date.now() - t0) / 1000;
  return procs.map((p, i) => {
    const after = cpuTicks(p.pid);
    const pct = after === undefined || before[i] === undefined ? NaN : ((after - before[i]) / HZ / secs) * 100;
    return { ...p, pct, peakRssKb: peakRssKb(p.pid) };
  });
}

async function main() {
  const infraRun = process.env.WATCHKEEPER_RUN_DIR ?? path.join(repo, '.run');
  const run = `wk_bench_idle_${Date.now().toString(36)}`;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-bench-idle-'));
  fs.copyFileSync(path.join(infraRun, 'env'), path.join(runDir, 'env'));
  const sampleLog = path.join(runDir, 'auth.log');
  fs.writeFileSync(sampleLog, '');
  const routing = path.join(runDir, 'routing.yaml');
  // Every alert to the Kafka recipient only: nothing waits on an absent webhook or mail server.
  fs.writeFileSync(routing, 'recipients:\n  downstream:\n    type: kafka\npools:\n  - name: everything\n    recipients: [downstream]\n');
  // Off the default ports (8080…): WATCHKEEPER_HTTP_PORT_BASE + 80… as `npm start` uses it, else a random 219x0.
  const base = process.env.WATCHKEEPER_HTTP_PORT_BASE ? Number(process.env.WATCHKEEPER_HTTP_PORT_BASE) + 80 : 21900 + Math.floor(Math.random() * 50) * 10;
  const ports = { receiver: base, heartbeatServer: base + 1, alertDispatcher: base + 2, logCollector: base + 3, heartbeatClient: base + 4 };
  const dbs = { rx: `${run}_rx`, ad: `${run}_ad`, hb: `${run}_hb`, lc: `${run}_lc` };
  const env = {
    // BENCH_IDLE_NODE_OPTIONS: e.g. `--require <hook>` to profile or count the services' work in a run.
    '*': { LOG_LEVEL: 'warn', ...(process.env.BENCH_IDLE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_IDLE_NODE_OPTIONS } : {}) },
    receiver: { RECEIVER_MONGO_DB: dbs.rx, RECEIVER_SSH_GROUP: `${run}-rx`, BRUTE_FORCE_GROUP: `${run}-bf`, SSH_STATS_TZ: 'UTC' },
    'alert-dispatcher': { ALERT_DISPATCHER_MONGO_DB: dbs.ad, ALERT_DISPATCHER_GROUP_ID: `${run}-ad`, ALERT_DISPATCHER_ROUTING_FILE: routing },
    'heartbeat-server': { MONGO_DB: dbs.hb },
    'log-collector': { MONGO_DB: dbs.lc, LOG_COLLECTOR_TZ: 'UTC' },
  };
  const loadBefore = load();
  const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS.split(','), clientId: run, logger: createLogger({ service: 'bench', level: 'silent' }) });
  // The services put their groups behind WATCHKEEPER_TOPIC_PREFIX (consumerGroupId), as Topics does the topics.
  await startGroupsAtEnd(kafka, [[consumerGroupId(`${run}-rx`), Topics.sshEvents], [consumerGroupId(`${run}-bf`), Topics.sshAttempts], [consumerGroupId(`${run}-ad`), Topics.alerts]]);
  const stack = await startLocalStack({ runDir, ports, env, sampleLog });
  const admin = `Bearer ${stack.tokens.WATCHKEEPER_ADMIN_TOKEN}`;
  const rx = `http://127.0.0.1:${ports.receiver}`;
  const producer = new EventProducer(kafka, 'bench/idle');
  const rows = [];
  let storedEvents = 0;
  let storedAlerts = 0;
  try {
    await producer.connect();
    const host = 'sample-host';
    let nextDay = Math.floor((Date.now() - 200 * DAY_MS) / DAY_MS) * DAY_MS;
    for (const [label, factor] of [['1×', 1], ['10×', 9]]) {
      // sshd events: whole days of a busy host, appended at once; their figures known by construction.
      const days = Math.max(1, Math.round((EVENTS * factor) / 55_000));
      const log = busyHostLog({ host, firstDay: nextDay, days, linesPerDay: Math.ceil((EVENTS * factor * 1.21) / days), seed: factor + 1 });
      nextDay += (days + 2) * DAY_MS; // two days apart: the next log's PIDs start no session of this one's
      const t0 = Date.now();
      fs.appendFileSync(sampleLog, log.lines.join('\n') + '\n');
      storedEvents += log.sshdLines;
      // alerts: stateless, distinct entities, as a fleet's detectors would raise them over months.
      for (let i = 0; i < ALERTS * factor; i += 500) {
        const batch = [];
        for (let j = i; j < Math.min(i + 500, ALERTS * factor); j++) {
          const at = new Date(nextDay - DAY_MS + j).toISOString();
          batch.push({ value: { id: randomUUID(), action: 'store', type: 'bench-idle', entity: { kind: 'host', id: `h${j % 997}` }, severity: 'info', labels: {}, source: 'bench/idle', occurredAt: at } });
        }
        await producer.publishMany(Topics.alerts, batch);
      }
      storedAlerts += ALERTS * factor;
      const dates = log.days.map((d) => d.date);
      const expected = JSON.stringify(log.days.map((d) => ({ host, ...d })));
      await until(`${label}: receiver figures correct`, async () => {
        const body = await (await fetch(`${rx}/v1/ssh-logins/range?from=${dates[0]}&to=${dates[dates.length - 1]}&host=${host}`, { headers: { authorization: admin } })).json();
        return JSON.stringify(body?.hosts?.[0]?.days?.map((d) => d.stats)) === expected;
      }, 1_800_000, 1000);
      const caughtUpS = (Date.now() - t0) / 1000;
      await until(`${label}: dispatcher recorded every alert`, async () => {
        const m = await (await fetch(`http://127.0.0.1:${ports.alertDispatcher}/metrics`)).text();
        const n = [...m.matchAll(/^watchkeeper_alert_dispatcher_alerts_received_total\{[^}]*\} (\d+)/gm)].reduce((s, x) => s + Number(x[1]), 0);
        return n >= storedAlerts;
      }, 1_800_000, 1000);
      // Every consumer group of the stack caught up too (the brute-force detector's ssh-attempts come
      // after the figures): their lag gauges, read from the broker every 15 s, all 0.
      await until(`${label}: every consumer group caught up`, async () => {
        for (const port of [ports.receiver, ports.alertDispatcher]) {
          const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const lags = [...m.matchAll(/^watchkeeper_kafka_consumer_lag\{[^}]*\} (\d+)/gm)].map((x) => Number(x[1]));
          if (lags.length === 0 || lags.some((n) => n > 0)) return false;
        }
        return true;
      }, 1_800_000, 2000);
      await sleep(SETTLE_S * 1000);
      const procs = [...stack.services.map((s) => ({ label: s.label, pid: s.pid, infra: false })), ...infraPids(infraRun)];
      const from = new Date().toISOString();
      const idle = await measureIdle(procs);
      rows.push({ label, events: storedEvents, alerts: storedAlerts, caughtUpS, window: [from, new Date().toISOString()], loadAtIdle: load(), idle });
      console.log(JSON.stringify(rows[rows.length - 1]));
    }
    writeResults(rows, loadBefore);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await stack.stop();
    const conn = await mongoose.createConnection(process.env.MONGO_URL).asPromise();
    for (const db of [dbs.rx, `${dbs.rx}_outbox`, `${dbs.rx}_requests`, `${dbs.rx}_ssh`, dbs.ad, dbs.hb, dbs.lc]) await conn.useDb(db).dropDatabase().catch(() => undefined);
    await conn.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

function writeResults(rows, loadBefore) {
  const sum = (r, infra) => r.idle.filter((p) => infra === undefined || p.infra === infra).reduce((s, p) => s + p.pct, 0);
  const labels = rows[0].idle.map((p) => p.label);
  const f = (x) => `${x.toFixed(2)} %`;
  const mb = (kb) => (kb === undefined ? '–' : `${(kb / 1024).toFixed(0)} MB`);
  const [one, ten] = rows;
  const wk1 = sum(one, false), wk10 = sum(ten, false), all1 = sum(one), all10 = sum(ten);
  const within = (a, b) => Math.abs(b - a) <= Math.max(0.2 * a, 0.5);
  const md = `# Idle cost of the whole stack, with 1× and 10× stored history

Generated by \`node bench/volume/idle.cjs\` on ${new Date().toISOString().slice(0, 16)}Z (${os.cpus().length} cores; load average
${loadBefore.join(' / ')} at the start: other work may have run on the machine, which per-process CPU time
counts only where it slowed these processes). The local stack as \`npm start\` runs it (tools/local-stack.cjs),
on Kafka 4.1, FerretDB 1.24 (SQLite) and Prosody 0.12 on loopback. CPU is utime + stime from \`/proc\`
over ${IDLE_S} s, ${SETTLE_S} s after the stored history was caught up, in % of one core.

Stored history: 1× = ${one.events.toLocaleString('en')} sshd events and ${one.alerts.toLocaleString('en')} alerts
(caught up ${one.caughtUpS.toFixed(0)} s after the append); 10× = ${ten.events.toLocaleString('en')} sshd events and
${ten.alerts.toLocaleString('en')} alerts (the last ${(ten.events - one.events).toLocaleString('en')} caught up in ${ten.caughtUpS.toFixed(0)} s).

| process | CPU 1× | CPU 10× | peak RSS after 1× | peak RSS after 10× |
| --- | --- | --- | --- | --- |
${labels.map((l, i) => `| ${l} | ${f(one.idle[i].pct)} | ${f(ten.idle[i].pct)} | ${mb(one.idle[i].peakRssKb)} | ${mb(ten.idle[i].peakRssKb)} |`).join('\n')}
| **Watchkeeper processes together** (target ≤ 2 %) | **${f(wk1)}** | **${f(wk10)}** | | |
| **whole stack** (target ≤ 10 %) | **${f(all1)}** | **${f(all10)}** | | |
| load average (1/5/15 min) at the end of the window | ${one.loadAtIdle.join(' / ')} | ${ten.loadAtIdle.join(' / ')} | | |

Peak RSS is VmHWM from \`/proc/<pid>/status\`: the most each process held since it started (catch-up
included), read at the end of each idle window.

Targets: Watchkeeper processes ≤ 2 % of one core — ${wk1 <= 2 && wk10 <= 2 ? 'met' : '**NOT met**'}; whole stack ≤ 10 % —
${all1 <= 10 && all10 <= 10 ? 'met' : '**NOT met**'}; 10× within 20 % (or 0.5 points) of 1× — ${within(wk1, wk10) && within(all1, all10) ? 'met' : '**NOT met**'}.
`;
  fs.mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'bench/results/volume-idle.md'), md);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
