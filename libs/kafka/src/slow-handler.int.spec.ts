import { consumerGroupId, Topics, topicPrefix, type AlertEvent } from '@watchkeeper/contracts';
import { createLogger, prom } from '@watchkeeper/runtime';
import { ConsumerRunner, createKafka, ensureTopics, EventProducer } from './index';
import { brokers, uniq } from '../test/helpers';

// A handler slower than the group session, on the real broker: the consumer must keep its membership,
// make progress and count nothing twice (issue 13, item 4: no consumer livelock).
const logger = createLogger({ service: 'kafka-slow-handler-test', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'kafka-slow-handler-test', logger });
const SESSION_MS = 6_000; // the broker's smallest allowed session (group.min.session.timeout.ms)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const alert = (id: string): AlertEvent =>
  ({ id, action: 'trigger', type: 'slow-test', entity: { kind: 'host', id: 'one-key' }, severity: 'warning', labels: {}, source: 'slow-test', occurredAt: new Date().toISOString() }) as AlertEvent;

describe('a handler slower than the group session', () => {
  const topic = { ...Topics.alerts, name: uniq(`${topicPrefix}watchkeeper.test-slow`), partitions: 1 };
  const producer = new EventProducer(kafka, 'kafka-slow-handler-test');

  beforeAll(async () => {
    await ensureTopics(kafka, [topic, Topics.deadLetter]);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic.name] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function committed(groupId: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: consumerGroupId(groupId), topics: [topic.name] });
      return t!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  it('batch handler: the first call outlives the session, later chunks shrink to the budget; every event once, progress committed, no rebalance', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `b${i}`);
    await producer.publishMany(topic, ids.map((id) => ({ value: alert(id) })));
    const seen = new Map<string, number>();
    const chunkSizes: number[] = [];
    let joins = 0;
    const registry = new prom.Registry();
    const runner = new ConsumerRunner({
      kafka,
      groupId: uniq('wk-test-slow-batch'),
      topic,
      logger,
      deadLetters: producer,
      sessionTimeoutMs: SESSION_MS,
      maxBatchSize: 20,
      registry,
      lagIntervalMs: 60_000,
      batchHandler: async (events, context) => {
        expect(context.partition).toBe(0);
        expect(context.firstOffset).toBe(events[0]!.offset);
        chunkSizes.push(events.length);
        // The first call: longer than the whole session. Then 150 ms an event (a slow database).
        await sleep(chunkSizes.length === 1 ? SESSION_MS + 2_000 : 150 * events.length);
        for (const e of events) seen.set(e.value.id, (seen.get(e.value.id) ?? 0) + 1);
      },
    });
    runner.onGroupJoin(() => joins++);
    // Before it consumed anything, the group is the whole topic behind (read from the broker).
    let before = await runner.refreshLag();
    for (let i = 0; i < 100 && before === undefined; i++) before = await sleep(200).then(() => runner.refreshLag()); // a fresh broker's coordinator
    expect(before?.total).toBe(ids.length);
    await runner.start();
    try {
      await until(() => seen.size === ids.length, 60_000, 'every event');
      await until(() => joins > 0, 1_000, 'the join');
      const lag = await runner.refreshLag();
      expect(lag?.total).toBe(0);
      const gauge = (await registry.getSingleMetric('watchkeeper_kafka_consumer_lag')!.get()).values;
      expect(gauge).toEqual([expect.objectContaining({ value: 0, labels: expect.objectContaining({ topic: topic.name, partition: '0' }) })]);
    } finally {
      await runner.stop();
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(joins).toBe(1); // never evicted, so never rejoined
    expect(chunkSizes[0]).toBe(20);
    // 2 s budget (a third of the session), 150 ms an event: chunks of at most 1 s of work.
    expect(Math.max(...chunkSizes.slice(2))).toBeLessThanOrEqual(Math.floor(1_000 / 150));
    expect(await committed(runner['opts'].groupId)).toBe(ids.length);
  }, 90_000);

  it('message handler: one message slower than the session; every message once, no rebalance', async () => {
    const groupId = uniq('wk-test-slow-message');
    // The topic already holds the first test's 40: this group starts at the end and gets these five.
    const ids = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const seen = new Map<string, number>();
    let joins = 0;
    const runner = new ConsumerRunner({
      kafka,
      groupId,
      topic,
      logger,
      deadLetters: producer,
      sessionTimeoutMs: SESSION_MS,
      fromBeginning: false,
      lagIntervalMs: 0,
      handler: async (e) => {
        if (e.value.id === 'm1') await sleep(SESSION_MS + 2_000);
        seen.set(e.value.id, (seen.get(e.value.id) ?? 0) + 1);
      },
    });
    runner.onGroupJoin(() => joins++);
    const positioned = new Promise<void>((resolve) => runner.onPositioned(resolve));
    await runner.start();
    try {
      await positioned;
      await producer.publishMany(topic, ids.map((id) => ({ value: alert(id) })));
      await until(() => seen.size === ids.length, 60_000, 'every message');
      await sleep(1_000); // a redelivery would show here
    } finally {
      await runner.stop();
    }
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(joins).toBe(1);
    expect(await committed(groupId)).toBe(45);
  }, 90_000);
});
