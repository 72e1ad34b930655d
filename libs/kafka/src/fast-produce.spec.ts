import * as path from 'node:path';
import { cloudEventHeaders } from '@watchkeeper/contracts';
import { encodeProducePayload, frameRequest, groupMessagesPerPartition, kafkajsProduceV3 } from './fast-produce';
import { kafkajsRecordEncoder } from './fast-record-encoder';

const dir = path.join(path.dirname(require.resolve('kafkajs')), 'src');
const Long = require(path.join(dir, 'utils/long.js'));
const kafkajsGroup = require(path.join(dir, 'producer/groupMessagesPerPartition.js'));
const record = kafkajsRecordEncoder();

const headers = (id: string) => cloudEventHeaders({ type: 'org.watchkeeper.ssh-event.v1', source: 'watchkeeper/log-collector/alpha', id, time: '2024-03-01T00:00:00.000Z' });
const msg = (i: number, key: string | null = 'alpha') => ({ key, value: JSON.stringify({ i, user: i % 7 === 0 ? 'ünï' : 'u', pad: 'x'.repeat(i % 300) }), headers: headers(`alpha:1:2:ab@${i}`) });

type Args = Parameters<typeof encodeProducePayload>[0];
const CASES: Array<[string, Args]> = [
  ['one partition, 250 CloudEvents messages', { acks: -1, timeout: 30_000, topicData: [{ topic: 'ssh-events', partitions: [{ partition: 2, messages: Array.from({ length: 250 }, (_, i) => msg(i)) }] }] }],
  [
    'topics and partitions, null and Buffer keys, header arrays, sequence, transactional',
    {
      acks: 1,
      timeout: 5000,
      transactionalId: 'tx-ü',
      producerId: Long.fromValue(123456789012),
      producerEpoch: 3,
      topicData: [
        { topic: 'a', partitions: [{ partition: 0, firstSequence: 17, messages: [msg(1, null), { key: Buffer.from([1, 2]), value: Buffer.from('v'), headers: { h: ['1', Buffer.from([0])] } }] }, { partition: 5, messages: [msg(3)] }] },
        { topic: 'bé', partitions: [{ partition: 1, messages: Array.from({ length: 70 }, (_, i) => msg(i * 13)) }] },
      ],
    },
  ],
  ['an empty partition list', { acks: -1, timeout: 1, topicData: [{ topic: 't', partitions: [] }] }],
  ['a message without headers', { acks: 0, timeout: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v' }] }] }] }],
];

const hex = (e: { buffer: Buffer }) => e.buffer.toString('hex');

describe('fast produce request', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes the same request payload as kafkajs 2.2.4 produce v3 (same clock)', async () => {
    const now = 1_732_500_000_123;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    for (const [name, args] of CASES) {
      const fast = encodeProducePayload(args, now, record, Long);
      expect(fast).toBeDefined();
      const kafkajs = await kafkajsProduceV3()(args).encode();
      expect([name, hex(fast!)]).toEqual([name, hex(kafkajs as { buffer: Buffer })]);
    }
  });

  it('leaves compression and message timestamps to kafkajs', () => {
    const base = CASES[0][1];
    expect(encodeProducePayload({ ...base, compression: 1 }, 1, record, Long)).toBeUndefined();
    const stamped = { ...base, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ ...msg(1), timestamp: '5' }] }] }] };
    expect(encodeProducePayload(stamped, 1, record, Long)).toBeUndefined();
  });

  it('groups messages per partition as kafkajs does', () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ key: `k${i % 9}`, value: String(i) }));
    const partitioner = ({ message }: { message: unknown }) => Number((message as { key: string }).key.slice(1)) % 4;
    const args = { topic: 't', partitionMetadata: [{}, {}, {}, {}], messages, partitioner };
    const ours = groupMessagesPerPartition(args);
    expect(ours).toEqual(kafkajsGroup(args));
    expect(Object.keys(ours)).toEqual(Object.keys(kafkajsGroup(args)));
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
  });
});

describe('one-pass request framing', () => {
  const kafkajsFrame = require(path.join(dir, 'protocol/request.js'));
  const Encoder = require(path.join(dir, 'protocol/encoder.js'));

  it('frames a request as kafkajs protocol/request.js does', async () => {
    const payloads = [new Encoder().writeInt32(7).writeString('x'), new Encoder(), encodeProducePayload(CASES[0][1], 5, record, Long)!];
    for (const clientId of ['watchkeeper-log-collector', 'ü', null])
      for (const p of payloads) {
        const request = { apiKey: 0, apiVersion: 3, encode: async () => p };
        const ours = await frameRequest({ correlationId: 123456, clientId, request });
        const theirs = await kafkajsFrame({ correlationId: 123456, clientId, request });
        expect(ours.buffer.equals(theirs.buffer)).toBe(true);
      }
  });
});
