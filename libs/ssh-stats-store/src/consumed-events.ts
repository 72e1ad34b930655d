import type { SshEvent } from '@watchkeeper/contracts';
import type { SshEventStore } from './ssh-event-store';

/**
 * Applies consumed ssh-events (any mix of partitions, each in offset order) partition by partition;
 * returns the events applied for the first time, in order.
 */
export async function applyConsumedSshEvents(store: SshEventStore, events: Array<{ topic: string; partition: number; offset: string; value: SshEvent }>): Promise<SshEvent[]> {
  const byPartition = new Map<string, { topic: string; partition: number; events: Array<{ offset: string; value: SshEvent }> }>();
  for (const e of events) {
    const key = `${e.topic}:${e.partition}`;
    let group = byPartition.get(key);
    if (!group) byPartition.set(key, (group = { topic: e.topic, partition: e.partition, events: [] }));
    group.events.push({ offset: e.offset, value: e.value });
  }
  const applied: SshEvent[] = [];
  for (const g of byPartition.values()) {
    const r = await store.applyBatch({ topic: g.topic, partition: g.partition }, g.events);
    applied.push(...r.replayed, ...r.applied);
  }
  return applied;
}
