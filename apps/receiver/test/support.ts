import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { TopicDef } from '@watchkeeper/contracts';
import { createKafka } from '@watchkeeper/kafka';
import { createLogger, createMetrics, freePort, loadConfig } from '@watchkeeper/runtime';
import { createApp, type ReceiverService } from '../src/app';
import { configSchema } from '../src/config';

export const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const ADMIN_TOKEN = `admin-${randomBytes(12).toString('hex')}`;
export const ALLOWED_COMMIT = 'c0ffee'.padEnd(40, '0');

export const uniq = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** A controllable clock: tests move time instead of sleeping. */
export class TestClock {
  constructor(public t = new Date('2026-06-01T12:00:00.000Z').getTime()) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}

export interface TestReceiver {
  svc: ReceiverService;
  base: string;
  dbName: string;
  artifactDir: string;
  clock?: TestClock;
  admin: Record<string, string>;
  stop(opts?: { drop?: boolean }): Promise<void>;
  /** Creates a token for `host` and returns an Authorization header for it. */
  hostAuth(host: string): Promise<Record<string, string>>;
}

export async function startReceiver(env: Record<string, string> = {}, opts: { clock?: TestClock; dbName?: string } = {}): Promise<TestReceiver> {
  const dbName = opts.dbName ?? `wk_test_receiver_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const artifactDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-receiver-artifacts-'));
  const config = loadConfig(configSchema, {
    WATCHKEEPER_ADMIN_TOKEN: ADMIN_TOKEN,
    RECEIVER_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MONGO_URL,
    RECEIVER_MONGO_DB: dbName,
    KAFKA_BROKERS,
    RECEIVER_ARTIFACT_DIR: artifactDir,
    RECEIVER_ALLOWED_COMMITS: ALLOWED_COMMIT,
    RECEIVER_UPDATE_HINT: 'Run: apt-get install --only-upgrade watchkeeper-agent',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RECEIVER_SSH_GROUP: uniq('wk-test-receiver'),
    BRUTE_FORCE_GROUP: uniq('wk-test-brute-force'),
    // Other suites keep filling the shared topic: start from now, not from its whole history.
    RECEIVER_SSH_FROM_BEGINNING: 'false',
    // The receiver shares its event loop with jest here (module loading, the tests' own work): lag
    // says little about the receiver. Shedding on lag is covered by libs/http-api's unit test.
    RECEIVER_MAX_EVENT_LOOP_LAG_MS: '0',
    ...env,
  });
  const logger = createLogger({ service: 'receiver-test', level: config.LOG_LEVEL });
  const svc = createApp({ config, logger, registry: createMetrics('receiver-test'), now: opts.clock?.now, validateResponses: true });
  await svc.start();
  const base = `http://127.0.0.1:${svc.port}`;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  return {
    svc,
    base,
    dbName,
    artifactDir,
    clock: opts.clock,
    admin,
    async stop({ drop = true } = {}) {
      if (drop) for (const db of svc.parts.databases) await db.dropDatabase().catch(() => undefined);
      await svc.stop();
      fs.rmSync(artifactDir, { recursive: true, force: true });
    },
    async hostAuth(host: string) {
      const r = await fetch(`${base}/v1/hosts/${host}/tokens`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}' });
      if (r.status !== 201) throw new Error(`token for ${host}: ${r.status} ${await r.text()}`);
      const { token } = (await r.json()) as { token: string };
      return { authorization: `Bearer ${token}` };
    },
  };
}

export function testKafka(brokers = KAFKA_BROKERS): Kafka {
  return createKafka({ brokers: brokers.split(','), clientId: uniq('receiver-test'), logger: createLogger({ service: 'receiver-test', level: 'silent' }) });
}

/**
 * A broker of the suite's own on free ports (tools/infra/kafka.sh) that a test may stop and start
 * again: the shared one keeps serving the other suites, and another checkout's run is no obstacle.
 */
export class PrivateKafka {
  brokers = '';
  private readonly runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-receiver-kafka-'));
  private env: NodeJS.ProcessEnv = {};

  /** Picks free ports and starts the broker. */
  async open(): Promise<void> {
    const [port, controller] = [await freePort(), await freePort()];
    this.env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller), WATCHKEEPER_RUN_DIR: this.runDir, KAFKA_BROKERS: '', WATCHKEEPER_MANAGED: 'kafka' };
    this.brokers = `127.0.0.1:${port}`;
    await this.start();
  }

  async start(): Promise<void> {
    await promisify(execFile)('bash', [KAFKA_SCRIPT, 'start'], { env: this.env, timeout: 180_000 });
  }

  async stop(): Promise<void> {
    await promisify(execFile)('bash', [KAFKA_SCRIPT, 'stop'], { env: this.env, timeout: 120_000 });
  }

  /** Stops the broker and deletes its data. */
  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }
}

const KAFKA_SCRIPT = path.join(__dirname, '../../../tools/infra/kafka.sh');

export type TopicMark = Array<{ partition: number; offset: string }>;

/** The topic's end offsets now: collect from here to skip what other suites left on the shared topic. */
export async function markTopic(kafka: Kafka, topic: TopicDef): Promise<TopicMark> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // A topic created a moment ago may still be electing its leaders.
    return await eventually(
      async () => (await admin.fetchTopicOffsets(topic.name).catch(() => undefined))?.map((p) => ({ partition: p.partition, offset: p.high })),
      30_000,
      `offsets of ${topic.name}`,
    );
  } finally {
    await admin.disconnect();
  }
}

/** Reads a topic from `since` until `count` values pass `filter` (or the timeout). */
export async function collect<T>(kafka: Kafka, topic: TopicDef, since: TopicMark, filter: (v: T, headers: Record<string, string>) => boolean, count: number, timeoutMs = 30_000): Promise<Array<{ value: T; headers: Record<string, string> }>> {
  const consumer = kafka.consumer({ groupId: uniq('receiver-test-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  const found: Array<{ value: T; headers: Record<string, string> }> = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${found.length}/${count} matching messages on ${topic.name}: ${JSON.stringify(found.map((f) => f.value)).slice(0, 3000)}`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const value = JSON.parse(message.value!.toString()) as T;
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            if (filter(value, headers)) found.push({ value, headers });
            if (found.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
      for (const p of since) consumer.seek({ topic: topic.name, partition: p.partition, offset: p.offset });
    });
  } finally {
    await consumer.disconnect();
  }
  return found;
}

/** Polls until `check` returns a value (not undefined/false) or the timeout passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A TCP proxy in front of a real server that a test can cut (every connection dropped, new ones
 * refused) and restore: the receiver sees the server go away without anyone stopping the shared one.
 */
export class CuttableProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Client connections and their upstream (none while frozen: connected on thaw). */
  private readonly pairs = new Map<net.Socket, net.Socket | undefined>();
  private frozen = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = this.port): Promise<void> {
    if (this.server) return;
    this.server = net.createServer((client) => {
      this.track(client);
      this.pairs.set(client, undefined);
      client.on('close', () => this.pairs.delete(client));
      // A stuck server accepts connections and never answers: connected upstream only on thaw.
      if (!this.frozen) this.connect(client);
      else client.pause();
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** The server hangs (like a SIGSTOPped process): nothing is forwarded either way until thaw. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe();
      upstream?.unpipe();
      client.pause();
      upstream?.pause();
    }
  }

  /** The server goes on where it stopped: everything held is forwarded, nothing is dropped. */
  thaw(): void {
    this.frozen = false;
    for (const [client, upstream] of this.pairs) {
      if (!upstream) this.connect(client);
      else {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    }
  }

  async cut(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }

  private connect(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.track(upstream);
    this.pairs.set(client, upstream);
    client.pipe(upstream).pipe(client);
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }
}

export function mongoTarget(): { host: string; port: number } {
  const m = /^mongodb:\/\/([^:/]+):(\d+)/.exec(MONGO_URL);
  return { host: m?.[1] ?? '127.0.0.1', port: Number(m?.[2] ?? 27017) };
}

/** Response bodies in tests: parsed by a schema where it matters, read freely elsewhere. */
export const asAny = (x: unknown): any => x;
