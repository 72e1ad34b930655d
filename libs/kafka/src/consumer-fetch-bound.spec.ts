import type { Kafka } from 'kafkajs';
import { Topics } from '@watchkeeper/contracts';
import { createLogger } from '@watchkeeper/runtime';
import { ConsumerRunner, DEFAULT_MAX_FETCH_BYTES } from './consumer';
import type { EventProducer } from './producer';

/** The consumer options a runner gives kafkajs (a recording stand-in: pure configuration, no broker). */
function consumerOptions(maxFetchBytes?: number): Record<string, unknown> {
  let seen: Record<string, unknown> = {};
  const kafka = { consumer: (o: Record<string, unknown>) => ((seen = o), {}) } as unknown as Kafka;
  new ConsumerRunner({
    kafka,
    groupId: 'g',
    topic: Topics.sshEvents,
    logger: createLogger({ service: 'spec', level: 'silent' }),
    deadLetters: {} as EventProducer,
    handler: async () => undefined,
    lagIntervalMs: 0,
    ...(maxFetchBytes ? { maxFetchBytes } : {}),
  });
  return seen;
}

describe('ConsumerRunner fetch size', () => {
  // With kafkajs' 10 MB default, each fetched message decoded to ~5× its size and held until its batch
  // is done, the receiver's two consumers outgrew its 192 MB heap catching up a 1 M-event backlog.
  it('bounds a fetch to 2 MiB unless told otherwise', () => {
    expect(DEFAULT_MAX_FETCH_BYTES).toBe(2 * 1024 * 1024);
    expect(consumerOptions().maxBytes).toBe(DEFAULT_MAX_FETCH_BYTES);
    expect(consumerOptions(512 * 1024).maxBytes).toBe(512 * 1024);
  });
});
