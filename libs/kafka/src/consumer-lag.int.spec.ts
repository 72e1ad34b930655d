import type { Admin, Kafka } from 'kafkajs';
import { Topics, type AlertEvent } from '@watchkeeper/contracts';
import { createLogger, prom } from '@watchkeeper/runtime';
import { ConsumerLagMonitor, createKafka, ensureTopics, EventProducer } from './index';
import { brokers, uniq } from '../test/helpers';

// The lag monitor on the real broker: right figures, and no admin connection held between readings
// (an open kafkajs connection wakes its process ten times a second, idle or not).
const logger = createLogger({ service: 'kafka-lag-test', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'kafka-lag-test', logger });

describe('ConsumerLagMonitor', () => {
  const topic = { ...Topics.alerts, name: uniq('watchkeeper.test-lag'), partitions: 2 };
  const producer = new EventProducer(kafka, 'kafka-lag-test');
  let open = 0;
  let connects = 0;
  // The real client; only its admins' connects and disconnects are counted.
  const counting = {
    admin: () => {
      const a: Admin = kafka.admin();
      a.on(a.events.CONNECT, () => {
        open++;
        connects++;
      });
      a.on(a.events.DISCONNECT, () => open--);
      return a;
    },
  } as unknown as Kafka;

  beforeAll(async () => {
    await ensureTopics(kafka, [topic]);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic.name] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reads high watermark minus committed per partition into the gauge, connecting an admin for each reading only', async () => {
    const batch = Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: { id: `id-${i}`, action: 'trigger', type: 'lag-test', entity: { kind: 'host', id: `h${i}` }, severity: 'info', labels: {}, source: 'lag-test', occurredAt: new Date().toISOString() } as AlertEvent }));
    await producer.publishMany(topic, batch);
    const registry = new prom.Registry();
    const groupId = uniq('lag-test-group');
    const monitor = new ConsumerLagMonitor({ kafka: counting, groupId, topic: topic.name, logger, registry, intervalMs: 60_000, fromBeginning: true });
    await monitor.refresh();
    expect(monitor.latest()?.total).toBe(7); // a group without commits that reads from the start: all behind
    const gauge = (await registry.getSingleMetric('watchkeeper_kafka_consumer_lag')!.get()).values;
    expect(gauge.reduce((n, v) => n + v.value, 0)).toBe(7);
    expect(connects).toBe(1);
    expect(open).toBe(0);
    await monitor.refresh();
    expect(monitor.latest()?.total).toBe(7);
    expect(connects).toBe(2);
    expect(open).toBe(0);
    await monitor.stop();
  });
});
