import { Partitioners, type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';

/**
 * kafkajs' DefaultPartitioner, remembering its answer for keyed messages. For a message with a key
 * and no partition it returns murmur2(key) mod the topic's partition count — a function of topic,
 * key and count alone — but pays per message for a Buffer of the key, the hash and a filtered copy of
 * the partition list. Keyed answers are kept per (topic, partition count, key); any other message
 * (explicit partition, no key, a Buffer key) goes to the DefaultPartitioner as before.
 */
export const MemoDefaultPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  const memo = new Map<string, Map<number, Map<string, number>>>();
  let size = 0;
  return (args: PartitionerArgs) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if ((message.partition !== null && message.partition !== undefined) || typeof key !== 'string') return inner(args);
    const n = partitionMetadata.length;
    let byCount = memo.get(topic);
    if (!byCount) memo.set(topic, (byCount = new Map()));
    let byKey = byCount.get(n);
    if (!byKey) byCount.set(n, (byKey = new Map()));
    let p = byKey.get(key);
    if (p === undefined) {
      p = inner(args);
      if (++size > 100_000) {
        memo.clear(); // keys are host names: never many, but bounded all the same
        size = 0;
      }
      byKey.set(key, p);
    }
    return p;
  };
};
