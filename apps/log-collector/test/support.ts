import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Topics, type SshDayStats, type SshEvent } from '@watchkeeper/contracts';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { topicOffsetsWhenLed } from '@watchkeeper/kafka/testing';
import { SyntheticAuthLog } from '@watchkeeper/sshd-parser';

export const ROOT = path.resolve(__dirname, '../../..');
export const BIN = path.join(ROOT, 'apps/log-collector/bin/watchkeeper-log-collector.js');
export const MONGO_URL = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const uniq = (p: string) => `${p}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (!fs.existsSync(path.join(ROOT, 'apps/log-collector/dist/main.js'))) {
  throw new Error('apps/log-collector is not built: run `npx tsc -b` first (npm test does)');
}

/** The collector as it runs in production: the built bin in its own process. */
export class CollectorProcess {
  private child: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(private readonly env: Record<string, string>) {}

  start(): void {
    this.child = spawn(process.execPath, [BIN], {
      env: { ...process.env, LOG_LEVEL: 'warn', LOG_COLLECTOR_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_COLLECTOR_TZ: 'UTC', LOG_COLLECTOR_POLL_MS: '50', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 200) this.output.shift();
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  /** Resident memory of the process in MB (Linux). */
  rssMb(): number {
    const status = fs.readFileSync(`/proc/${this.child!.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    return new Promise((resolve) => {
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  }
}

/** A log writer that also keeps every line in a "truth" file: what a one-shot count must see. */
export class LogWriter {
  readonly truth: string;
  private readonly gen: SyntheticAuthLog;

  constructor(readonly file: string, host: string, seed: number) {
    this.truth = file + '.truth';
    fs.writeFileSync(this.truth, '');
    // Classic stamps of the last days: the collector and the one-shot count infer the same year.
    this.gen = new SyntheticAuthLog({ host, seed, start: Date.now() - 3 * 86_400_000, meanGapSeconds: 2, firstPid: 1000 + seed * 1_000_000 });
  }

  write(n: number, target = this.file): void {
    const text = this.gen.lines(n).map((l) => l + '\n').join('');
    fs.appendFileSync(target, text);
    fs.appendFileSync(this.truth, text);
  }
}

/** Consumes ssh-events of one host from the current end of the topic; keeps each id once. */
export class EventCollector {
  readonly events = new Map<string, SshEvent>();
  duplicates = 0;
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;

  constructor(private readonly host: string, brokers = KAFKA_BROKERS) {
    this.kafka = new Kafka({ brokers: brokers.split(','), clientId: uniq('lc-test'), logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 2000 } });
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(Topics.sshEvents.name)) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: Topics.sshEvents.name, numPartitions: Topics.sshEvents.partitions, replicationFactor: 1 }] }).catch(() => undefined);
    }
    const ends = await topicOffsetsWhenLed(admin, Topics.sshEvents.name);
    await admin.disconnect();
    this.consumer = this.kafka.consumer({ groupId: uniq('wk-test-log-collector'), maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: Topics.sshEvents.name, fromBeginning: false });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const e = JSON.parse(message.value!.toString()) as SshEvent;
        if (e.host !== this.host) return;
        if (this.events.has(e.id)) this.duplicates++;
        else this.events.set(e.id, e);
      },
    });
    // seek needs the group initialised, which run() starts but does not wait for.
    for (let attempt = 0; ; attempt++) {
      try {
        for (const p of ends) this.consumer.seek({ topic: Topics.sshEvents.name, partition: p.partition, offset: p.offset });
        break;
      } catch (err) {
        if (attempt > 100) throw err;
        await sleep(100);
      }
    }
  }

  stats(timeZone = 'UTC'): SshDayStats[] {
    return new SshStatsAccumulator({ timeZone }).addAll(this.events.values()).days();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

const execFileP = promisify(execFile);

/** The one-shot CLI over the same lines: the reference the collector must match exactly. */
export async function oneShotCount(file: string, host: string): Promise<{ lines: number; sshd: number; unrecognized: number; days: SshDayStats[] }> {
  const { stdout } = await execFileP(process.execPath, [BIN, 'count', '--file', file, '--tz', 'UTC', '--host', host, '--json'], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

/** The events the one-shot `parse` gives for the same lines: one per line that is an event. */
export async function oneShotEvents(file: string, host: string): Promise<SshEvent[]> {
  const { stdout } = await execFileP(process.execPath, [BIN, 'parse', '--file', file, '--tz', 'UTC', '--host', host], { maxBuffer: 256 << 20 });
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SshEvent);
}

/**
 * What a line said, without where it was read (id, origin) and without an address carried over
 * from an earlier line (that depends on where reading began).
 */
const lineContent = (e: SshEvent) => JSON.stringify([e.time, e.timeText, e.kind, e.program, e.pid, e.user, e.sourceInferred ? undefined : e.sourceIp, e.port, e.method, e.count ?? 1]);

/**
 * Every line's event arrived under exactly one id: the events kept (one per id) are the one-shot
 * parse's, line for line. A line read twice under two ids (another file identity or offset for the
 * same bytes) shows here even where a statistic would not.
 */
export function expectOneIdPerLine(events: EventCollector, reference: SshEvent[]): void {
  const count = (list: Iterable<SshEvent>) => {
    const m = new Map<string, number>();
    for (const e of list) m.set(lineContent(e), (m.get(lineContent(e)) ?? 0) + 1);
    return m;
  };
  const want = count(reference);
  const got = count(events.events.values());
  const wrong = [...new Set([...want.keys(), ...got.keys()])].filter((k) => want.get(k) !== got.get(k));
  const examples = wrong.slice(0, 5).map((k) => `${k}: ${got.get(k) ?? 0} ids, ${want.get(k) ?? 0} lines`);
  expect({ events: events.events.size, linesNotOnce: wrong.length, examples }).toEqual({ events: reference.length, linesNotOnce: 0, examples: [] });
}

/** Waits until the collected statistics equal the reference (or fails showing both). */
export async function expectSameStats(events: EventCollector, reference: SshDayStats[], timeoutMs = 60_000, collector?: CollectorProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got = events.stats();
  while (JSON.stringify(got) !== JSON.stringify(reference) && Date.now() < deadline) {
    await sleep(250);
    got = events.stats();
  }
  if (JSON.stringify(got) !== JSON.stringify(reference) && collector) {
    console.error(collector.output.join(''));
  }
  if (JSON.stringify(got) !== JSON.stringify(reference)) {
    throw new Error(`statistics differ after ${timeoutMs} ms (${events.events.size} events):\n got ${JSON.stringify(got)}\nwant ${JSON.stringify(reference)}`);
  }
}
