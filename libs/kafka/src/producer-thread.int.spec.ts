import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import type { KafkaMessage } from 'kafkajs';
import { topicPrefix, Topics, type SshEvent } from '@watchkeeper/contracts';
import { createLogger } from '@watchkeeper/runtime';
import { createKafka, EventProducer, ProducerThread } from './index';
import { brokers, uniq } from '../test/helpers';

// Runs against the real broker started by tools/infra (Apache Kafka 4.x, KRaft).
const logger = createLogger({ service: 'producer-thread-int-test', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'producer-thread-int-test', logger });

const event = (i: number): SshEvent => ({
  id: `thread-test@${i}`,
  host: `host-${i % 7}`,
  time: '2024-03-01T10:00:00.000Z',
  timeText: 'Mar  1 10:00:00',
  kind: 'failed',
  program: 'sshd',
  pid: 1000 + i,
  user: 'root',
  sourceIp: '203.0.113.7',
  port: 22,
  method: 'password',
  count: 1,
});

async function createTopic(topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

async function readAll(topic: string, n: number): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const consumer = kafka.consumer({ groupId: uniq('thread-test') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: Array<{ partition: number; message: KafkaMessage }> = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          got.push({ partition, message });
          if (got.length === n) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return got;
}

const text = (b: Buffer | string | undefined) => b?.toString();
const summary = (m: { partition: number; message: KafkaMessage }) => ({
  partition: m.partition,
  key: text(m.message.key ?? undefined),
  value: text(m.message.value ?? undefined),
  headers: Object.fromEntries(Object.entries(m.message.headers ?? {}).map(([k, v]) => [k, text(v as Buffer)])),
});

describe('ProducerThread (kafkajs on a thread of its own)', () => {
  it('sends what an in-thread EventProducer sends: same keys, values, CloudEvents headers and partitions', async () => {
    const viaThread = uniq(`${topicPrefix}wk-test-thread`);
    const inThread = uniq(`${topicPrefix}wk-test-inthread`);
    await Promise.all([createTopic(viaThread), createTopic(inThread)]);
    const thread = new EventProducer(new ProducerThread({ brokers, clientId: 'producer-thread-int-test', logger }), 'wk-test/thread');
    const plain = new EventProducer(kafka, 'wk-test/thread');
    await Promise.all([thread.connect(), plain.connect()]);
    try {
      const messages = Array.from({ length: 60 }, (_, i) => thread.encode(Topics.sshEvents, event(i), { id: event(i).id, time: event(i).time }));
      // Several requests at once, as the collector sends a batch's chunks; each answer finds its caller.
      await Promise.all([0, 20, 40].map((from) => thread.send({ topic: viaThread, messages: messages.slice(from, from + 20) })));
      await plain.send({ topic: inThread, messages });
      const [a, b] = await Promise.all([readAll(viaThread, 60), readAll(inThread, 60)]);
      const byValue = (x: ReturnType<typeof summary>, y: ReturnType<typeof summary>) => x.value!.localeCompare(y.value!);
      const sentViaThread = a.map(summary).sort(byValue);
      expect(sentViaThread).toEqual(b.map(summary).sort(byValue));
      expect(sentViaThread.map((m) => m.value)).toEqual(messages.map((m) => m.value).sort());
      expect(sentViaThread[0]!.headers.ce_source).toBe('wk-test/thread');
      expect(new Set(sentViaThread.map((m) => m.partition)).size).toBeGreaterThan(1);
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [viaThread, inThread] }).finally(() => admin.disconnect());
    } finally {
      await Promise.all([thread.disconnect(), plain.disconnect()]);
    }
  });

  it("rejects with kafkajs' error, and kafkajs' log lines reach the caller's logger", async () => {
    const lines: Array<{ level: string; component?: string; msg: string }> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const capture = createLogger({ service: 'producer-thread-int-test', level: 'debug', destination: sink });
    // Nothing listens on port 1; no retries, so the failure comes at once.
    const thread = new ProducerThread({ brokers: ['127.0.0.1:1'], clientId: 'producer-thread-int-test', logger: capture, retry: { retries: 0 }, connectionTimeout: 500 });
    try {
      const err = await thread.connect().then(
        () => undefined,
        (e: Error & { retriable?: boolean }) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.name).toMatch(/^KafkaJS/);
      expect(err!.message).toMatch(/ECONNREFUSED|Connection/i);
      expect(lines.some((l) => l.level === 'error' && l.component === 'kafkajs')).toBe(true);
    } finally {
      await thread.disconnect();
    }
  });

  it('a thread that dies fails what was pending; the next send starts a new thread, which connects and sends', async () => {
    const topic = uniq(`${topicPrefix}wk-test-thread-restart`);
    await createTopic(topic);
    const thread = new ProducerThread({ brokers, clientId: 'producer-thread-int-test', logger });
    try {
      await thread.connect();
      const pending = thread.send({ topic, acks: -1, messages: [{ key: 'k', value: 'lost?' }] });
      // As if the thread crashed: the test ends it from outside.
      await (thread as unknown as { worker: Worker }).worker.terminate();
      await expect(pending).rejects.toThrow(/exited/);
      await thread.send({ topic, acks: -1, messages: [{ key: 'k', value: 'after restart' }] });
      // The message sent before the end may or may not have reached the broker: read whatever is there.
      const admin = kafka.admin();
      await admin.connect();
      const stored = (await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect())).reduce((n, p) => n + Number(p.high), 0);
      const values = (await readAll(topic, stored)).map((m) => text(m.message.value ?? undefined));
      expect(values).toContain('after restart');
    } finally {
      await thread.disconnect();
    }
  });
});
