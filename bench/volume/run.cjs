#!/usr/bin/env node
// Benchmark: catch-up of a busy host's backlog through the whole pipeline, the real bins in their own
// processes: a generated auth.log (BENCH_LINES lines over 3 days, ≥ 150,000 sshd events; figures known
// by construction, busyHostLog in libs/sshd-parser) appended at once to the file a running
// watchkeeper-log-collector follows → Kafka → watchkeeper-receiver. Measured in the same run:
//   collector — sshd events/s from the append until the topic holds them all (its own shipping rate);
//   end to end — sshd events/s from the append until every per-day figure of /v1/ssh-logins/range
//                equals the generator's (target ≥ 2,500 events/s, the backlog correct within 60 s).
// Plus the load average before and after (the machine is shared) and each process's peak RSS.
// Writes bench/results/volume.md. Usage: npx tsc -b && bash tools/infra/stack.sh start && source .run/env && node bench/volume/run.cjs
'use strict';
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.join(__dirname, '../..');
const LINES = Number(process.env.BENCH_LINES ?? 200_000);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const TOKEN = `bench-${randomUUID()}`;
const DAY_MS = 86_400_000;
const { sleep, load, until } = require('./support.cjs');
const { Kafka, logLevel } = require(path.join(repo, 'node_modules/kafkajs'));
const mongoose = require(path.join(repo, 'node_modules/mongoose'));
const { createKafka, EventProducer } = require(path.join(repo, 'libs/kafka/dist/index.js'));
const { Topics } = require(path.join(repo, 'libs/contracts/dist/index.js'));
const { createLogger } = require(path.join(repo, 'libs/runtime/dist/index.js'));
const { busyHostLog } = require(path.join(repo, 'libs/sshd-parser/dist/index.js'));

function start(name, bin, env) {
  const child = spawn(process.execPath, [path.join(repo, bin)], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = [];
  child.stdout.on('data', (b) => out.push(b.toString()));
  child.stderr.on('data', (b) => out.push(b.toString()));
  let hwm = 0;
  const timer = setInterval(() => {
    try {
      hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024);
    } catch {}
  }, 500);
  return {
    name,
    child,
    out,
    peakMb: () => hwm,
    async stop() {
      clearInterval(timer);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main() {
  const run = `bench-volume-${Date.now().toString(36)}`;
  const host = `${run}-bastion`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-bench-volume-'));
  const file = path.join(dir, 'auth.log');
  fs.writeFileSync(file, '');
  const firstDay = Math.floor((Date.now() - 4 * DAY_MS) / DAY_MS) * DAY_MS;
  const log = busyHostLog({ host, firstDay, days: 3, linesPerDay: Math.ceil(LINES / 3) });
  const dates = log.days.map((d) => d.date);
  const expected = JSON.stringify(log.days.map((d) => ({ host, ...d })));
  const receiverDb = `wk_bench_${run.replaceAll('-', '_')}_rx`;
  const collectorDb = `wk_bench_${run.replaceAll('-', '_')}_lc`;
  const port = 20000 + Math.floor(Math.random() * 5000);
  const base = `http://127.0.0.1:${port}`;
  const loadBefore = load();

  const receiver = start('receiver', 'apps/receiver/bin/watchkeeper-receiver.js', {
    WATCHKEEPER_ADMIN_TOKEN: TOKEN, RECEIVER_PORT: String(port), HTTP_HOST: '127.0.0.1', MONGO_URL, KAFKA_BROKERS,
    RECEIVER_MONGO_DB: receiverDb, RECEIVER_ARTIFACT_DIR: path.join(dir, 'artifacts'), RECEIVER_SSH_GROUP: `${run}-rx`,
    RECEIVER_SSH_FROM_BEGINNING: 'false', SSH_STATS_TZ: 'UTC',
  });
  const kafka = new Kafka({ brokers: KAFKA_BROKERS.split(','), clientId: run, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const events = new EventProducer(createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: `${run}-probe`, logger: createLogger({ service: 'bench', level: 'silent' }) }), 'bench/volume');
  let collector;
  try {
    await admin.connect();
    await events.connect();
    await until('receiver ready', async () => (await fetch(`${base}/readyz`)).ok, 120_000);
    // A new group reading from "now": a probe, re-sent until the API shows it, proves its offsets are fixed.
    const probeHost = `${run}-probe`;
    await until('probe through the receiver', async () => {
      const id = `${probeHost}:${randomUUID()}`;
      const time = new Date().toISOString();
      const value = { id, host: probeHost, time, timeText: time, kind: 'session_opened', program: 'sshd', pid: 1, count: 1 };
      await events.publish(Topics.sshEvents, value, { id });
      await sleep(1000);
      const day = await (await fetch(`${base}/v1/ssh-logins?date=${time.slice(0, 10)}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
      return day.hosts?.some((h) => h.host === probeHost);
    }, 120_000);

    collector = start('log-collector', 'apps/log-collector/bin/watchkeeper-log-collector.js', {
      LOG_COLLECTOR_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_COLLECTOR_TZ: 'UTC', LOG_COLLECTOR_POLL_MS: '100',
      LOG_COLLECTOR_FILES: file, LOG_COLLECTOR_HOST: host, MONGO_URL, MONGO_DB: collectorDb, KAFKA_BROKERS,
    });
    await sleep(3000);
    const topicEnd = async () => (await admin.fetchTopicOffsets('watchkeeper.ssh-events.v1')).reduce((n, p) => n + Number(p.high), 0);
    const endBefore = await topicEnd();

    const t0 = Date.now();
    fs.appendFileSync(file, log.lines.join('\n') + '\n');
    let shippedAt;
    let correctAt;
    let last;
    const rangeUrl = `${base}/v1/ssh-logins/range?from=${dates[0]}&to=${dates[dates.length - 1]}&host=${host}`;
    while (!correctAt) {
      if (!shippedAt && (await topicEnd()) - endBefore >= log.sshdLines) shippedAt = Date.now();
      const body = await (await fetch(rangeUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).json().catch(() => undefined);
      last = JSON.stringify(body?.hosts?.[0]?.days?.map((d) => d.stats));
      if (last === expected) correctAt = Date.now();
      else if (Date.now() - t0 > 900_000) throw new Error(`not correct after 15 min:\nexpected ${expected}\ngot      ${last}`);
      else await sleep(500);
    }
    const shipS = (shippedAt - t0) / 1000;
    const e2eS = (correctAt - t0) / 1000;
    const r = {
      lines: log.lines.length,
      events: log.sshdLines,
      collectorS: shipS,
      collectorRate: Math.round(log.sshdLines / shipS),
      endToEndS: e2eS,
      endToEndRate: Math.round(log.sshdLines / e2eS),
      loadBefore,
      loadAfter: load(),
      receiverPeakMb: Math.round(receiver.peakMb()),
      collectorPeakMb: Math.round(collector.peakMb()),
    };
    console.log(JSON.stringify(r));
    writeResults(r);
  } finally {
    await collector?.stop();
    await receiver.stop();
    await events.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    const conn = await mongoose.createConnection(MONGO_URL).asPromise();
    for (const db of [receiverDb, `${receiverDb}_outbox`, `${receiverDb}_requests`, `${receiverDb}_ssh`, collectorDb]) await conn.useDb(db).dropDatabase().catch(() => undefined);
    await conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeResults(r) {
  const met = r.endToEndRate >= 2500;
  const md = `# Volume: a busy host's backlog through collector → Kafka → receiver

Generated by \`node bench/volume/run.cjs\` on ${new Date().toISOString().slice(0, 16)}Z (${os.cpus().length} cores, shared:
load average ${r.loadBefore.join(' / ')} before, ${r.loadAfter.join(' / ')} after — other work ran on the machine at
the same time). Real bins in their own processes, Kafka 4.1 and FerretDB 1.24 (SQLite) on loopback.

A generated auth.log of ${r.lines.toLocaleString('en')} lines over 3 days (${r.events.toLocaleString('en')} sshd events; cron noise
besides), its per-day figures known by construction (\`busyHostLog\` in libs/sshd-parser), appended at once to
the file a running collector follows.

| measure | figure |
| --- | --- |
| collector shipping (append → every event on the topic) | ${r.collectorS.toFixed(1)} s, ${r.collectorRate.toLocaleString('en')} events/s |
| end to end (append → every per-day figure of the API correct) | ${r.endToEndS.toFixed(1)} s, **${r.endToEndRate.toLocaleString('en')} events/s** |
| ratio end to end / collector | ${(r.endToEndRate / r.collectorRate).toFixed(2)} |
| peak RSS (VmHWM; \`node bin/…\` with V8's default heap settings, not the bins' shebang flags) | receiver ${r.receiverPeakMb} MB, collector ${r.collectorPeakMb} MB |

Target: ≥ 2,500 events/s end to end (the backlog correct within 60 s) — **${met ? 'met' : 'not met'}** in this run.
Every figure was checked exactly (sessions, accepted, failed, invalid users, distinct sources, per day).
`;
  fs.mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'bench/results/volume.md'), md);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
