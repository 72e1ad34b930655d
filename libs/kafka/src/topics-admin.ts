import type { Kafka } from 'kafkajs';
import type { TopicDef } from '@watchkeeper/contracts';
import { backoffDelay, sleep } from '@watchkeeper/runtime';

/**
 * Creates the topics a service uses with their explicit partition counts (auto-creation is off on the
 * broker, so a typo in a topic name fails loudly instead of creating a stray topic).
 */
export async function ensureTopics(kafka: Kafka, topics: ReadonlyArray<Pick<TopicDef, 'name' | 'partitions'>>, opts: { replicationFactor?: number; attempts?: number } = {}): Promise<void> {
  // Services starting together on a fresh broker race to create the same topics, and on a busy machine
  // the new partitions' leaders can take longer than kafkajs' 5 s default: one failed pass must not end
  // a service's start, so the whole list-and-create pass is retried.
  const attempts = opts.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureTopicsOnce(kafka, topics, opts.replicationFactor ?? 1);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 5_000 }));
    }
  }
}

async function ensureTopicsOnce(kafka: Kafka, topics: ReadonlyArray<Pick<TopicDef, 'name' | 'partitions'>>, replicationFactor: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor })),
    });
  } catch (err) {
    // Another instance may have created it between list and create.
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
  } finally {
    await admin.disconnect();
  }
}
