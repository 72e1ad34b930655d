import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { consumerGroupId, Topics, topicPrefix, type AlertEvent, type SshEvent } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { createLogger, freePort, waitFor } from '@watchkeeper/runtime';
import type { Admin, Kafka } from 'kafkajs';
import mongoose from 'mongoose';
import { fromRoot } from '../src/paths';
import { renderKustomize } from '../src/render';

/**
 * SIGTERM with a large backlog on the input topic: the built bin of a service (`npx tsc -b` first; npm
 * test does) is started on a private Kafka broker whose topic already holds the backlog, SIGTERMed while
 * it is consuming, and must exit 0 within the time Kubernetes gives it — terminationGracePeriodSeconds
 * minus the preStop sleep, read from deploy/k8s — having committed the offsets of everything it handled
 * before the signal. The receiver's stored events are also checked against the committed offsets: every
 * event below them is in MongoDB (a commit never runs ahead of the work).
 */
const execFileP = promisify(execFile);
const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
const TOKEN = `graceful-stop-${randomUUID()}`;
const logger = createLogger({ service: 'graceful-stop-test', level: 'warn' });
const run = `gs${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;

jest.setTimeout(300_000);

/** What Kubernetes leaves a pod of the app for its own shutdown: the grace period minus the preStop sleep. */
function shutdownBudgetMs(objects: Record<string, any>[], app: string): number {
  const w = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
  if (!w) throw new Error(`deploy/k8s/base has no Deployment ${app}`);
  const pod = w.spec.template.spec;
  const container = pod.containers.find((c: { name: string }) => c.name === app);
  const cmd: string[] = container?.lifecycle?.preStop?.exec?.command ?? [];
  const preStopS = cmd[0] === 'sleep' ? Number(cmd[1]) : 0;
  const graceS = pod.terminationGracePeriodSeconds ?? 30; // the Kubernetes default
  expect(Number.isFinite(preStopS)).toBe(true);
  return (graceS - preStopS) * 1000;
}

/** A Kafka broker of this suite's own (tools/infra/kafka.sh with its own ports and run dir). */
async function privateKafka() {
  const [port, controller] = [await freePort(), await freePort()];
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-gs-kafka-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), WATCHKEEPER_RUN_DIR: runDir, WATCHKEEPER_MANAGED: 'kafka' };
  delete env.KAFKA_BROKERS; // a set KAFKA_BROKERS means "external cluster" to the script
  const ctl = (cmd: string) => execFileP('bash', [fromRoot('tools/infra/kafka.sh'), cmd], { env, timeout: 180_000 });
  return { brokers: `127.0.0.1:${port}`, runDir, start: () => ctl('start'), stop: () => ctl('stop') };
}

interface Service {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function startBin(app: string, env: Record<string, string>): Service {
  let output = '';
  const child = spawn(process.execPath, [fromRoot('apps', app, 'bin', `watchkeeper-${app}.js`)], {
    env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'warn', WATCHKEEPER_TOPIC_PREFIX: topicPrefix, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-20_000)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { child, output: () => output, exit };
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> {
  const [t] = await admin.fetchOffsets({ groupId: consumerGroupId(groupId), topics: [topic] }); // the service's group, as the broker names it
  return new Map(t!.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
}

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * Starts the bin with the backlog already on its topic, SIGTERMs it once it has committed `startAfter`
 * messages (so it is in the middle of the backlog), and returns what the test asserts on.
 */
async function sigtermMidBacklog(o: { app: string; env: Record<string, string>; topic: string; groupId: string; startAfter: number; admin: Admin }) {
  const svc = startBin(o.app, o.env);
  const withOutput = <T>(p: Promise<T>) =>
    p.catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${o.app} output ---\n${svc.output()}`);
    });
  try {
    await withOutput(waitFor(`${o.app} working through the backlog`, async () => sum(await committed(o.admin, o.groupId, o.topic)) >= o.startAfter, 120_000, 50));
    const signalledAt = Date.now();
    svc.child.kill('SIGTERM');
    const committedBeforeSignal = sum(await committed(o.admin, o.groupId, o.topic));
    const exit = await svc.exit;
    const offsets = await committed(o.admin, o.groupId, o.topic);
    const stopMs = exit.at - signalledAt;
    // The figures, for the record (GRACEFUL_STOP_REPORT=1): how long a stop under load takes.
    if (process.env.GRACEFUL_STOP_REPORT) process.stderr.write(`${o.app}: stop ${stopMs} ms, committed ${committedBeforeSignal} at SIGTERM, ${sum(offsets)} at exit\n`);
    return { exit, stopMs, committedBeforeSignal, offsets, output: svc.output() };
  } finally {
    if (svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
  }
}

describe('services stop within their Kubernetes grace period with a large Kafka backlog', () => {
  const kafkaBroker = privateKafkaHolder();
  let kafka: Kafka;
  let admin: Admin;
  let producer: EventProducer;
  let budgets: Record<string, number>;
  const dbs: string[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    const base = renderKustomize(fromRoot('deploy', 'k8s', 'base'));
    budgets = { receiver: shutdownBudgetMs(base.objects, 'receiver'), 'alert-dispatcher': shutdownBudgetMs(base.objects, 'alert-dispatcher') };
    const broker = await kafkaBroker.init();
    await broker.start();
    kafka = createKafka({ brokers: [broker.brokers], clientId: `graceful-stop-${run}`, logger });
    await ensureTopics(kafka, Object.values(Topics));
    admin = kafka.admin();
    await admin.connect();
    producer = new EventProducer(kafka, 'test/graceful-stop');
    await producer.connect();
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    const conn = await mongoose.createConnection(MONGO_URL).asPromise();
    for (const db of dbs) await conn.useDb(db).dropDatabase().catch(() => undefined);
    await conn.close();
    const broker = kafkaBroker.get();
    await broker?.stop().catch(() => undefined);
    for (const d of [...dirs, broker?.runDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }, 120_000);

  /** Publishes in requests of 250 (kafkajs groups messages per partition in O(n²)). */
  async function publishAll<T extends { id: string }>(topic: typeof Topics.sshEvents | typeof Topics.alerts, values: T[]): Promise<void> {
    for (let i = 0; i < values.length; i += 250) {
      await producer.publishMany(topic as typeof Topics.alerts, values.slice(i, i + 250).map((v) => ({ value: v as unknown as AlertEvent, opts: { id: v.id } })));
    }
  }

  it('receiver (ssh-events): exits 0 within the grace, committed what it handled, and every committed event is stored', async () => {
    const N = 30_000;
    const t0 = Date.UTC(2026, 10, 1, 0, 0, 0);
    const kinds = ['accepted', 'session_opened', 'session_closed', 'disconnected'] as const;
    const events: SshEvent[] = Array.from({ length: N }, (_, i) => ({
      id: `${run}-ssh-${i}`,
      host: `${run}-h${i % 24}`,
      time: new Date(t0 + i * 1000).toISOString(),
      timeText: 'Nov  1 00:00:00',
      kind: kinds[i % kinds.length]!,
      program: 'sshd',
      pid: 1000 + (i % 97),
      user: 'alice',
      sourceIp: `10.1.${(i >> 8) & 255}.${i & 255}`,
      count: 1,
    }));
    await publishAll(Topics.sshEvents, events);

    const port = await freePort();
    const db = `wk_test_${run}_receiver`;
    dbs.push(db, `${db}_outbox`, `${db}_requests`, `${db}_ssh`);
    const artifacts = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-gs-artifacts-'));
    dirs.push(artifacts);
    const groupId = `${run}-receiver`;
    const r = await sigtermMidBacklog({
      app: 'receiver',
      topic: Topics.sshEvents.name,
      groupId,
      startAfter: 2000,
      admin,
      env: {
        WATCHKEEPER_ADMIN_TOKEN: TOKEN,
        RECEIVER_PORT: String(port),
        MONGO_URL,
        RECEIVER_MONGO_DB: db,
        KAFKA_BROKERS: kafkaBroker.get()!.brokers,
        RECEIVER_ARTIFACT_DIR: artifacts,
        RECEIVER_SSH_GROUP: groupId,
        BRUTE_FORCE_GROUP: `${run}-brute-force`,
        RECEIVER_SSH_FROM_BEGINNING: 'true',
      },
    });
    const detail = `stop took ${r.stopMs} ms (budget ${budgets.receiver} ms), committed ${r.committedBeforeSignal} at the signal, committed ${sum(r.offsets)} of ${N}\n${r.output}`;
    expect({ code: r.exit.code, signal: r.exit.signal, detail }).toEqual({ code: 0, signal: null, detail });
    expect(r.stopMs).toBeLessThan(budgets.receiver);
    expect(sum(r.offsets)).toBeGreaterThanOrEqual(r.committedBeforeSignal);
    // Mid-backlog, not after it: otherwise this test would not be testing a stop under load.
    expect(sum(r.offsets)).toBeLessThan(N);

    // Committed offsets and stored work agree exactly: every event below a committed offset is in
    // MongoDB (no commit ahead of the work), and every stored event is below one (what it handled before
    // stopping was committed: a restart redoes nothing). The topic is private, so the ids at those
    // offsets are read back from it.
    const below = await idsBelow(kafka, Topics.sshEvents.name, r.offsets);
    expect(below.length).toBe(sum(r.offsets));
    // Stored work: the raw events (bundles per UTC day) at offsets the partition's journal covers.
    const conn = await mongoose.createConnection(MONGO_URL, { dbName: `${db}_ssh` }).asPromise();
    try {
      const through = new Map((await conn.db!.collection<{ _id: string; through: number }>('ssh_journal').find({}).toArray()).map((j) => [Number(j._id.split(':').pop()), j.through]));
      const stored = new Set<string>();
      for (const c of await conn.db!.listCollections({}, { nameOnly: true }).toArray()) {
        if (!c.name.startsWith('ssh_raw_')) continue;
        // One bundle per batch and UTC day: `events` is JSON of rows whose first element is the event id.
        for (const b of await conn.db!.collection(c.name).find({}).toArray()) if (b.o <= (through.get(b.p) ?? -1)) for (const row of JSON.parse(b.events) as string[][]) stored.add(row[0]);
      }
      const committedIds = new Set(below);
      expect(below.filter((id) => !stored.has(id))).toEqual([]);
      expect([...stored].filter((id) => !committedIds.has(id)).length).toBe(0);
    } finally {
      await conn.close();
    }
  });

  it('alert-dispatcher (alerts): exits 0 within the grace and committed what it handled', async () => {
    const N = 20_000;
    const sink = await startSink();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-gs-dispatcher-'));
    dirs.push(dir);
    fs.writeFileSync(
      path.join(dir, 'routing.yaml'),
      `
recipients:
  gs-hook:
    type: webhook
    url: "${sink.url}"
pools:
  - name: run
    match: { labels: { gs_run: "${run}" } }
    recipients: [gs-hook]
`,
    );
    const alerts: AlertEvent[] = Array.from({ length: N }, (_, i) => ({
      id: `${run}-alert-${i}`,
      action: i % 3 === 0 ? 'store' : i % 3 === 1 ? 'trigger' : 'release',
      type: `gs-${i % 5}`,
      severity: 'warning',
      entity: { kind: 'host', id: `${run}-e${i % 200}` },
      labels: { gs_run: run },
      source: 'graceful-stop-test',
      occurredAt: new Date(Date.now() - (N - i) * 10).toISOString(),
      summary: `graceful-stop backlog #${i}`,
    }));
    await publishAll(Topics.alerts, alerts);

    const port = await freePort();
    const db = `wk_test_${run}_dispatcher`;
    dbs.push(db);
    const groupId = `${run}-dispatcher`;
    try {
      const r = await sigtermMidBacklog({
        app: 'alert-dispatcher',
        topic: Topics.alerts.name,
        groupId,
        startAfter: 500,
        admin,
        env: {
          WATCHKEEPER_ADMIN_TOKEN: TOKEN,
          ALERT_DISPATCHER_PORT: String(port),
          MONGO_URL,
          ALERT_DISPATCHER_MONGO_DB: db,
          KAFKA_BROKERS: kafkaBroker.get()!.brokers,
          ALERT_DISPATCHER_GROUP_ID: groupId,
          ALERT_DISPATCHER_ROUTING_FILE: path.join(dir, 'routing.yaml'),
        },
      });
      const detail = `stop took ${r.stopMs} ms (budget ${budgets['alert-dispatcher']} ms), committed ${r.committedBeforeSignal} at the signal, committed ${sum(r.offsets)} of ${N}\n${r.output}`;
      expect({ code: r.exit.code, signal: r.exit.signal, detail }).toEqual({ code: 0, signal: null, detail });
      expect(r.stopMs).toBeLessThan(budgets['alert-dispatcher']);
      expect(sum(r.offsets)).toBeGreaterThanOrEqual(r.committedBeforeSignal);
      expect(sum(r.offsets)).toBeLessThan(N);
      // The dispatcher records per partition the last offset it fully processed (history, queues,
      // states): the committed offset is exactly the next one — all of its finished work committed,
      // nothing committed that it had not finished.
      const conn = await mongoose.createConnection(MONGO_URL, { dbName: db }).asPromise();
      try {
        const progress = await conn.db!.collection<{ _id: string; through: string | null }>('alert_consumer_progress').find({ _id: { $regex: `^${groupId}:` } }).toArray();
        const processed = new Map(progress.map((p) => [Number(p._id.slice(groupId.length + 1)), p.through === null ? 0 : Number(p.through) + 1]));
        expect(sum(processed)).toBeGreaterThan(0);
        expect(Object.fromEntries(r.offsets)).toEqual(Object.fromEntries([...r.offsets.keys()].map((p) => [p, processed.get(p) ?? 0])));
      } finally {
        await conn.close();
      }
    } finally {
      await sink.close();
    }
  });
});

/** Ids of the messages below the given offsets, read back from the (private) topic by a fresh group. */
async function idsBelow(kafka: Kafka, topic: string, offsets: Map<number, number>): Promise<string[]> {
  const want = sum(offsets);
  const ids: string[] = [];
  if (want === 0) return ids;
  const consumer = kafka.consumer({ groupId: `${run}-readback-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const limit = offsets.get(batch.partition) ?? 0;
        for (const m of batch.messages) {
          if (Number(m.offset) >= limit) break;
          ids.push((JSON.parse(String(m.value)) as { id: string }).id);
          seen += 1;
        }
        if (seen >= want) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`read back ${seen} of ${want} messages`)), 60_000))]).finally(() => consumer.disconnect());
  return ids;
}

/** A webhook that answers 200 to everything (the dispatcher's deliveries during the backlog). */
async function startSink() {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function privateKafkaHolder() {
  let k: Awaited<ReturnType<typeof privateKafka>> | undefined;
  return { init: async () => (k = await privateKafka()), get: () => k };
}
