import { Partitioners } from 'kafkajs';
import { consumerGroupId, Topics, topicPrefix, type AlertEvent, type DeadLetter } from '@watchkeeper/contracts';
import { createLogger, prom } from '@watchkeeper/runtime';
import { createKafka, ensureTopics, EventProducer, ContractViolation } from './index';
import { brokers, ConsumerProcess, uniq } from '../test/helpers';

// Runs against the real broker started by tools/infra (Apache Kafka 4.x, KRaft).
const logger = createLogger({ service: 'kafka-int-test', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'kafka-int-test', logger });

const alert = (id: string, extra: Partial<AlertEvent> = {}): AlertEvent =>
  ({
    id,
    action: 'trigger',
    type: 'test-alert',
    entity: { kind: 'host', id: `host-${id}` },
    severity: 'warning',
    labels: {},
    source: 'kafka-int-test',
    occurredAt: new Date().toISOString(),
    ...extra,
  }) as AlertEvent;

describe('kafkajs against the chosen Kafka version', () => {
  it('admin creates topics with explicit partitions; produce, consume in a group, commit and fetch offsets', async () => {
    const topic = uniq(`${topicPrefix}wk-test-raw`);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(3);

      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` })) });
      await producer.disconnect();

      const groupId = uniq('wk-test-group');
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              seen.add(message.value!.toString());
              if (seen.size === 30) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      expect(seen.size).toBe(30);

      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(committed).toBe(30);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  });
});

describe('ensureTopics', () => {
  it('services starting together on the same broker all get every topic, whoever creates it', async () => {
    // As on a fresh `npm start`: several services create the same (here new) topics at once.
    const topics = Array.from({ length: 6 }, (_, i) => ({ name: `${uniq('ensure')}-${i}`, partitions: 6 }));
    await Promise.all(Array.from({ length: 4 }, () => ensureTopics(kafka, topics)));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.name) });
      expect(meta.topics.map((t) => t.partitions.length)).toEqual(topics.map(() => 6));
      await admin.deleteTopics({ topics: topics.map((t) => t.name) });
    } finally {
      await admin.disconnect();
    }
  }, 120_000);
});

describe('runtime producer and consumer runner', () => {
  const topicName = uniq(`${topicPrefix}watchkeeper.test-alerts`);
  const testTopic = { ...Topics.alerts, name: topicName };
  const producer = new EventProducer(kafka, 'kafka-int-test');

  beforeAll(async () => {
    await ensureTopics(kafka, [testTopic, Topics.deadLetter]);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  it('refuses to send a value that breaks its contract', async () => {
    await expect(producer.publish(testTopic, { ...alert('x'), severity: 'apocalyptic' } as never)).rejects.toBeInstanceOf(ContractViolation);
  });

  it('a consumer in another process receives and validates; bad messages are dead-lettered and it keeps going', async () => {
    const group = uniq('wk-test-runner');
    const consumer = new ConsumerProcess({ TOPIC: topicName, GROUP: group });
    try {
      await consumer.waitFor((l) => l.some((x) => x.joined));
      const fp = Topics.alerts.key(alert('a1'));
      await producer.publish(testTopic, alert('a1'), { id: 'ce-a1' });
      // Same key as a1 so the order on the partition is: a1, not-json, wrong-contract, a2.
      await producer.send({ topic: topicName, messages: [{ key: fp, value: '{not json' }] });
      await producer.send({ topic: topicName, messages: [{ key: fp, value: JSON.stringify({ ...alert('bad'), severity: 'apocalyptic' }) }] });
      await producer.publish(testTopic, alert('a2', { entity: { kind: 'host', id: 'host-a1' } }));
      await consumer.waitFor((l) => l.some((x) => x.id === 'a2'));
      const handled = consumer.lines.filter((x) => x.id).map((x) => x.id);
      expect(handled).toEqual(['a1', 'a2']);
      expect(consumer.lines.find((x) => x.id === 'a1').eventId).toBe('ce-a1');

      const letters = await readDeadLetters(topicName, 2);
      expect(letters.map((d) => d.reason)).toEqual([expect.stringContaining('not JSON'), expect.stringContaining('severity')]);
      expect(Buffer.from(letters[0].valueBase64!, 'base64').toString()).toBe('{not json');
      expect(letters[0].consumerGroup).toBe(consumerGroupId(group)); // the group as the broker knows it
    } finally {
      await consumer.kill('SIGTERM');
    }
  });

  it('a consumer killed before its handler finished gets the message again', async () => {
    const group = uniq('wk-test-crash');
    const first = new ConsumerProcess({ TOPIC: topicName, GROUP: group, HANG_ON: 'c2' });
    await first.waitFor((l) => l.some((x) => x.joined));
    // The group starts from the beginning of the topic: skip what the previous test left there.
    await first.waitFor((l) => l.some((x) => x.id === 'a2'));
    await producer.publish(testTopic, alert('c1', { entity: { kind: 'host', id: 'crash' } }));
    await producer.publish(testTopic, alert('c2', { entity: { kind: 'host', id: 'crash' } }));
    await first.waitFor((l) => l.some((x) => x.id === 'c2'));
    await first.kill('SIGKILL');

    const second = new ConsumerProcess({ TOPIC: topicName, GROUP: group });
    try {
      await second.waitFor((l) => l.some((x) => x.id === 'c2'), 60_000);
      // c2 was never committed, so it comes again; whatever was committed before it does not.
      expect(second.lines.filter((x) => x.id === 'c2')).toHaveLength(1);
      expect(second.lines.some((x) => x.id === 'a1')).toBe(false);
    } finally {
      await second.kill('SIGTERM');
    }
  }, 90_000);

  it('hands a batch handler bounded chunks, in order, and dead-letters invalid values between them', async () => {
    const { ConsumerRunner } = await import('./consumer');
    const group = uniq('wk-test-chunks');
    const registry = new prom.Registry();
    const entity = { kind: 'host', id: uniq('chunk-host') };
    const chunks: string[][] = [];
    const runner = new ConsumerRunner({
      kafka,
      groupId: group,
      topic: testTopic,
      logger,
      deadLetters: producer,
      maxBatchSize: 2,
      registry,
      batchHandler: async (events) => {
        const mine = events.filter((e) => e.value.entity.id === entity.id).map((e) => e.value.id);
        if (mine.length) chunks.push(mine);
      },
    });
    const fp = Topics.alerts.key(alert('k0', { entity }));
    // All on one key, so one partition, one order: k1 k2 <bad> k3 k4 k5.
    await producer.publishMany(testTopic, ['k1', 'k2'].map((id) => ({ value: alert(id, { entity }) })));
    await producer.send({ topic: topicName, messages: [{ key: fp, value: '[]' }] });
    await producer.publishMany(testTopic, ['k3', 'k4', 'k5'].map((id) => ({ value: alert(id, { entity }) })));
    await runner.start();
    const deadline = Date.now() + 30_000;
    while (chunks.flat().length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // The group read the whole topic: the consumed counter counts every message once (not chunks).
    const admin = kafka.admin();
    await admin.connect();
    const total = (await admin.fetchTopicOffsets(topicName)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    await admin.disconnect();
    const counted = async () => {
      const values = (await registry.getSingleMetric('watchkeeper_kafka_messages_consumed_total')!.get()).values;
      return values.filter((v) => v.labels.outcome === 'handled' || v.labels.outcome === 'dead_lettered').reduce((sum, v) => sum + v.value, 0);
    };
    while ((await counted()) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await runner.stop();
    expect(await counted()).toBe(total);
    expect(chunks.flat()).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(2);
  });

  it('a new group that starts at the end consumes everything produced once it is positioned, nothing older', async () => {
    const { ConsumerRunner } = await import('./consumer');
    const tag = uniq('pos');
    const seen = new Set<string>();
    const runner = new ConsumerRunner({
      kafka,
      groupId: uniq('wk-test-positioned'),
      topic: testTopic,
      logger,
      deadLetters: producer,
      fromBeginning: false,
      handler: async (e) => {
        if (e.value.source === tag) seen.add(e.value.id);
      },
    });
    // Before the group exists: must not be consumed (the group starts at the end).
    await producer.publishMany(testTopic, [0, 1, 2].map((i) => ({ value: alert(`old-${i}`, { source: tag, entity: { kind: 'host', id: `old-${i}` } }) })));
    const positioned = new Promise<void>((resolve) => runner.onPositioned(resolve));
    await runner.start();
    await positioned;
    // Right after positioning, on many keys (so every partition): the window the race used to skip.
    const fresh = Array.from({ length: 12 }, (_, i) => `new-${i}`);
    await producer.publishMany(testTopic, fresh.map((id) => ({ value: alert(id, { source: tag, entity: { kind: 'host', id } }) })));
    const deadline = Date.now() + 30_000;
    while (seen.size < fresh.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500)); // a late "old" one would show up here
    await runner.stop();
    expect([...seen].sort()).toEqual([...fresh].sort());
  });

  async function readDeadLetters(originalTopic: string, count: number): Promise<DeadLetter[]> {
    const consumer = kafka.consumer({ groupId: uniq('wk-test-dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.deadLetter.name, fromBeginning: true });
    const found: DeadLetter[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${found.length} dead letters`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const d = Topics.deadLetter.schema.parse(JSON.parse(message.value!.toString()));
            if (d.originalTopic === originalTopic) found.push(d);
            if (found.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return found.sort((a, b) => Number(a.offset) - Number(b.offset));
  }
});
