import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { AlertEvent, alertFingerprint, Topics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics, EventProducer } from '@watchkeeper/kafka';
import { createLogger } from '@watchkeeper/runtime';
import { fromRoot } from './paths';
import { ensureTool } from './tools';

// The kcat commands docs/operations.md gives downstream consumers, run as written (bash, Debian's
// kcat) against the real local Kafka that tools/infra starts (KAFKA_BROKERS from .run/env).
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const doc = fs.readFileSync(fromRoot('docs', 'operations.md'), 'utf8');
const block = (name: string): string => {
  const m = new RegExp(`<!-- kcat:${name}[^\\n]*-->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m) throw new Error(`docs/operations.md has no kcat:${name} block`);
  return m[1]!;
};

const run = Math.random().toString(36).slice(2, 10);
const logger = createLogger({ service: 'deploy-checks-kcat-test', level: 'warn' });
const kafka = createKafka({ brokers: brokers.split(','), clientId: `kcat-test-${run}`, logger });
const producer = new EventProducer(kafka, 'deploy-checks-test');

// One alert identity for every event of this run: one key, one partition, so order is defined.
const alert = (n: number, action: 'trigger' | 'release'): AlertEvent => ({
  id: `kcat-${run}-${n}`,
  action,
  type: 'kcat-doc-test',
  entity: { kind: 'host', id: `kcat-${run}` },
  severity: 'info',
  labels: { run },
  source: 'deploy-checks-test',
  occurredAt: new Date().toISOString(),
});
const publish = (a: AlertEvent) => producer.publish(Topics.alerts, a, { id: a.id });

/** Runs a doc block with bash; collects stdout lines; `stop()` sends SIGTERM to its process group. */
function start(script: string, env: Record<string, string>) {
  const child = spawn('bash', ['-c', script], {
    env: { ...process.env, PATH: `${ensureTool('kcat').replace(/\/kcat$/, '')}:${process.env.PATH}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  let stderr = '';
  readline.createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    lines,
    exited,
    stderr: () => stderr,
    async until(pred: () => boolean, ms = 45_000) {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`kcat: timed out; stderr: ${stderr}; ${lines.length} lines`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await exited;
    },
  };
}

beforeAll(async () => {
  ensureTool('kcat');
  await ensureTopics(kafka, [Topics.alerts]);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

describe('docs/operations.md kcat commands against the local Kafka', () => {
  it('peek: prints our events with key, CloudEvents headers and a value that satisfies the contract', async () => {
    const a = alert(1, 'trigger');
    await publish(a);
    const peek = start(block('peek'), { BROKERS: brokers });
    const code = await peek.exited; // -e: ends at the last message
    expect(code).toBe(0);
    const i = peek.lines.findIndex((l) => l.includes(`"id":"${a.id}"`));
    expect(i).toBeGreaterThan(0);
    const meta = peek.lines[i - 1]!;
    expect(meta).toContain(`key=${alertFingerprint(a)}`);
    expect(meta).toContain(`ce_id=${a.id}`);
    expect(meta).toContain(`ce_type=${Topics.alerts.ceType}`);
    expect(AlertEvent.parse(JSON.parse(peek.lines[i]!))).toMatchObject({ id: a.id, action: 'trigger', entity: a.entity });
  });

  it('group: a consumer group reads new events, and after a restart continues after its committed offset', async () => {
    const group = `kcat-doc-test-${run}`;
    const mine = (lines: string[]) => lines.filter((l) => l.includes(`kcat-${run}-`)).map((l) => /"id":"(kcat-[^"]+)"/.exec(l)![1]);
    // The shared topic holds every suite's history (hundreds of thousands of alerts after the flood
    // tests), which a new group would read from the start first: give the group committed offsets at
    // today's end, as a dashboard that ran before would have.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(Topics.alerts.name);
      await admin.setOffsets({ groupId: group, topic: Topics.alerts.name, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    } finally {
      await admin.disconnect();
    }
    const first = start(block('group'), { BROKERS: brokers, GROUP: group });
    try {
      await publish(alert(2, 'release'));
      await first.until(() => mine(first.lines).includes(`kcat-${run}-2`));
      // tab-separated key, headers, value
      const line = first.lines.find((l) => l.includes(`kcat-${run}-2`))!;
      expect(line.split('\t')[0]).toBe(alertFingerprint(alert(2, 'release')));
    } finally {
      await first.stop();
    }
    await publish(alert(3, 'trigger'));
    const second = start(block('group'), { BROKERS: brokers, GROUP: group });
    try {
      await second.until(() => mine(second.lines).includes(`kcat-${run}-3`));
      // same key, same partition: had the offsets not been committed, 1 and 2 would come first
      expect(mine(second.lines)).toEqual([`kcat-${run}-3`]);
    } finally {
      await second.stop();
    }
  });
});
