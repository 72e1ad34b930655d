import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { MemoDefaultPartitioner } from './memo-partitioner';

const meta = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: leaderless.includes(i) ? -1 : 0, replicas: [0], isr: [0], partitionErrorCode: 0, offlineReplicas: [] }));

describe('MemoDefaultPartitioner', () => {
  it('answers keyed messages as the DefaultPartitioner does, for any key, topic and partition count', () => {
    const memo = MemoDefaultPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    for (let round = 0; round < 3; round++)
      for (const n of [1, 3, 6, 12])
        for (const topic of ['ssh-events', 'other'])
          for (let k = 0; k < 300; k++) {
            const args = { topic, partitionMetadata: meta(n, [1]), message: { key: `host-${k}.example`, value: 'v' } };
            expect(memo(args)).toBe(plain(args));
          }
  });

  it('leaves explicit partitions and keyless messages to the DefaultPartitioner', () => {
    const memo = MemoDefaultPartitioner();
    expect(memo({ topic: 't', partitionMetadata: meta(4), message: { key: 'a', partition: 3, value: 'v' } })).toBe(3);
    // Keyless: round-robin over available partitions, so consecutive answers differ.
    const seen = new Set(Array.from({ length: 8 }, () => memo({ topic: 't', partitionMetadata: meta(4), message: { value: 'v' } })));
    expect(seen.size).toBe(4);
    const buf = { topic: 't', partitionMetadata: meta(4), message: { key: Buffer.from('a'), value: 'v' } };
    expect(memo(buf)).toBe(Partitioners.DefaultPartitioner()(buf));
  });
});
