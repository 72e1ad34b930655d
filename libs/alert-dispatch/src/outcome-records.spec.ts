import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Topics, type NotificationOutcome } from '@watchkeeper/contracts';
import { ContractViolation, encodeProducePayload, EventProducer, kafkajsProduceV3, kafkajsRecordEncoder } from '@watchkeeper/kafka';
import { OutcomeRecordWriter } from './outcome-records';

const Long = require(path.join(path.dirname(require.resolve('kafkajs')), 'src/utils/long.js'));
const record = kafkajsRecordEncoder();
// EventProducer.encode only (no connection): what publishMany hands to kafkajs.
const producer = (source: string) => new EventProducer({ producer: () => ({}) } as unknown as Kafka, source);

function outcomeOf(i: number): NotificationOutcome {
  const kinds = ['delivered', 'dropped', 'silenced', 'dead_lettered', 'retried'] as const;
  return {
    id: `${i}-ü|hook-${i % 3}|${kinds[i % 5]}|0.1${'x'.repeat(i % 40 === 0 ? 150 : 0)}`,
    alertId: `alert-${i}`,
    fingerprint: `fp${i % 7}${'f'.repeat(30)}`,
    recipient: `hook-${i % 3}-ë`,
    outcome: kinds[i % 5],
    ...(i % 2 ? { cause: `queue-full ${'c'.repeat(i % 300)}` } : {}),
    attempt: i % 4,
    at: new Date(Date.UTC(2026, 10, 26) + i).toISOString(),
    ...(i % 3 ? { latencyMs: i * 7 } : {}),
    ...(i % 5 === 0 ? { digestId: `d-${i}` } : {}),
  };
}

describe('OutcomeRecordWriter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the produce request kafkajs writes for the same events published through EventProducer', async () => {
    const now = 1_764_115_200_000;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    for (const source of ['watchkeeper/alert-dispatcher', `watchkeeper/${'s'.repeat(200)}`]) {
      const time = '2026-11-26T00:00:00.123Z';
      const outcomes = Array.from({ length: 700 }, (_, i) => outcomeOf(i)); // more than one 256 KiB chunk
      const pre = new OutcomeRecordWriter(source).records(outcomes, time);
      const plain = outcomes.map((o) => producer(source).encode(Topics.notifications, o, { id: o.id, subject: o.fingerprint, time }));
      const args = (messages: unknown[]) => ({ acks: -1, timeout: 30_000, topicData: [{ topic: Topics.notifications.name, partitions: [{ partition: 2, messages: messages as never }] }] });
      const fast = encodeProducePayload(args(pre), now, record, Long)!;
      const kafkajs = (await kafkajsProduceV3()(args(plain)).encode()) as { buffer: Buffer };
      expect(fast.buffer.equals(kafkajs.buffer)).toBe(true);
      expect(pre.map((r) => r.key)).toEqual(plain.map((p) => p.key));
    }
  });

  it('validates every outcome against the contract, as EventProducer does', () => {
    const bad = { ...outcomeOf(1), attempt: -1 };
    expect(() => new OutcomeRecordWriter('s').records([outcomeOf(0), bad], '2026-11-26T00:00:00.000Z')).toThrow(ContractViolation);
  });
});
