import { Topics, type AlertEvent, type HeartbeatStatus } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';
import { createLogger } from '@watchkeeper/runtime';
import { KafkaHeartbeatSink } from './kafka-sink';

// Pure outbox logic with an in-memory producer whose publishes can hang, fail or succeed on demand
// (the real broker going away is tested in test/broker-blind.int.spec.ts).
const logger = createLogger({ service: 'kafka-sink-spec', level: 'silent' });

function fakeProducer() {
  const sent: Array<{ topic: string; n: number }> = [];
  let mode: 'ok' | 'hang' | 'fail' = 'ok';
  const hanging: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const producer = {
    publishMany: (topic: { name: string }, items: unknown[]) =>
      new Promise<void>((resolve, reject) => {
        const done = () => {
          sent.push({ topic: topic.name, n: items.length });
          resolve();
        };
        if (mode === 'ok') done();
        else if (mode === 'fail') reject(new Error('connection refused'));
        else hanging.push({ resolve: done, reject });
      }),
  } as unknown as EventProducer;
  return { producer, sent, hanging, set: (m: typeof mode) => (mode = m) };
}

const status = (i: number): HeartbeatStatus => ({
  listenerId: `l${i}@h`,
  node: 'n',
  state: 'ok',
  roundId: 'r',
  seq: 1,
  server: 's@x',
  observedAt: new Date(0).toISOString(),
  lastSeenAt: null,
  rttMs: 1,
  consecutiveMisses: 0,
  clockOffsetMs: null,
});
const alert = { id: 'a1', action: 'trigger', type: 't', severity: 'critical', entity: { kind: 'k', id: 'e' }, labels: {}, source: 's', occurredAt: new Date(0).toISOString(), summary: 's' } as AlertEvent;
const until = async (fn: () => boolean) => {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(fn()).toBe(true);
};

describe('KafkaHeartbeatSink', () => {
  it('a publish that hangs past stallMs reports the broker down before kafkajs gives up; its success reports it back', async () => {
    const p = fakeProducer();
    const downs: boolean[] = [];
    const sink = new KafkaHeartbeatSink(p.producer, { logger, onBrokerDown: (d) => downs.push(d), stallMs: 30 });
    p.set('hang');
    sink.statuses([status(1)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(downs).toEqual([]); // not yet: slow is not down
    await until(() => downs.length === 1);
    expect(downs).toEqual([true]);
    expect(sink.brokerDown).toBe(true);
    p.set('ok');
    p.hanging.shift()!.resolve();
    await until(() => downs.length === 2);
    expect(downs).toEqual([true, false]);
    expect(sink.queued).toBe(0);
    await sink.stop();
  });

  it('a publish answered within stallMs never reports the broker down', async () => {
    const p = fakeProducer();
    const downs: boolean[] = [];
    const sink = new KafkaHeartbeatSink(p.producer, { logger, onBrokerDown: (d) => downs.push(d), stallMs: 200 });
    p.set('hang');
    sink.statuses([status(1)]);
    await new Promise((r) => setTimeout(r, 20));
    p.hanging.shift()!.resolve();
    await until(() => sink.queued === 0);
    await new Promise((r) => setTimeout(r, 250)); // past stallMs: the timer was cleared
    expect(downs).toEqual([]);
    await sink.stop();
  });

  it('while failing: keeps alerts, drops the oldest statuses beyond the bound (counted), sends alerts first once back', async () => {
    const p = fakeProducer();
    const dropped: Record<string, number> = {};
    const downs: boolean[] = [];
    const sink = new KafkaHeartbeatSink(p.producer, {
      logger,
      onBrokerDown: (d) => downs.push(d),
      maxQueued: 5,
      stallMs: 1000,
      counters: { dropped: (k, n) => (dropped[k] = (dropped[k] ?? 0) + n), published: () => undefined },
    });
    p.set('fail');
    sink.statuses([status(1), status(2)]);
    await until(() => downs.length === 1);
    sink.alert(alert);
    sink.statuses([3, 4, 5, 6, 7].map(status));
    expect(sink.queued).toBe(5); // 1 alert + the 4 newest statuses
    expect(dropped).toEqual({ status: 3 });
    p.set('ok');
    await until(() => sink.queued === 0); // the backoff retry (500 ms first) sends them
    expect(p.sent.map((s) => `${s.topic}:${s.n}`)).toEqual([`${Topics.alerts.name}:1`, `${Topics.heartbeatStatus.name}:4`]);
    expect(downs).toEqual([true, false]);
    await sink.stop();
  });
  it('connected: false holds everything until producerConnected(); a start-up outage is one down/up pair', async () => {
    const p = fakeProducer();
    const downs: boolean[] = [];
    const sink = new KafkaHeartbeatSink(p.producer, { logger, onBrokerDown: (d) => downs.push(d), connected: false });
    sink.statuses([status(1)]);
    sink.markUnavailable('not reachable at start');
    sink.alert(alert);
    await new Promise((r) => setTimeout(r, 20));
    expect(p.sent).toEqual([]);
    expect(sink.ready).toBe(false);
    expect(downs).toEqual([true]);
    sink.producerConnected();
    await until(() => sink.queued === 0);
    expect(p.sent.map((s) => s.topic)).toEqual([Topics.alerts.name, Topics.heartbeatStatus.name]);
    expect(downs).toEqual([true, false]);
    await sink.stop();
  });
});
