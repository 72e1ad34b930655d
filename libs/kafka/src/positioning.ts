import type { Consumer, Kafka } from 'kafkajs';

/**
 * Seeks every assigned partition that has no committed offset for the group to the topic's end as
 * measured now, and returns once that is known.
 *
 * Why: a new group subscribed with fromBeginning:false resolves "latest" lazily, at its first fetch,
 * which comes some time after GROUP_JOIN. A message produced between the join and that fetch would be
 * skipped. Measuring the end here and seeking to it closes the gap: anything produced after this
 * resolves is consumed. With autoCommit the seek is also committed, so later rebalances find an offset.
 */
export async function positionAtEnd(kafka: Kafka, consumer: Consumer, groupId: string, topic: string, partitions: number[]): Promise<void> {
  if (partitions.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const partition of partitions) {
      const offset = committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      if (offset !== '-1') continue;
      const end = ends.find((p) => p.partition === partition)?.high;
      if (end !== undefined) consumer.seek({ topic, partition, offset: end });
    }
  } finally {
    await admin.disconnect();
  }
}
