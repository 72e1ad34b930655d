import type { Kafka } from 'kafkajs';
import type { TopicDef } from '@watchkeeper/contracts';

/**
 * Creates the topics a service uses with their explicit partition counts (auto-creation is off on the
 * broker, so a typo in a topic name fails loudly instead of creating a stray topic).
 */
export async function ensureTopics(kafka: Kafka, topics: ReadonlyArray<Pick<TopicDef, 'name' | 'partitions'>>, opts: { replicationFactor?: number } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: opts.replicationFactor ?? 1 })),
    });
  } catch (err) {
    // Another instance may have created it between list and create.
    if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
  } finally {
    await admin.disconnect();
  }
}
