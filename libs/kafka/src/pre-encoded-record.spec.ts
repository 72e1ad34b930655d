import * as path from 'node:path';
import { cloudEventHeaders } from '@watchkeeper/contracts';
import { encodeProducePayload, kafkajsProduceV3 } from './fast-produce';
import { kafkajsRecordEncoder } from './fast-record-encoder';
import { CloudEventRecordWriter, PreEncodedRecord } from './pre-encoded-record';

const Long = require(path.join(path.dirname(require.resolve('kafkajs')), 'src/utils/long.js'));
const record = kafkajsRecordEncoder();

describe('CloudEventRecordWriter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives the produce request kafkajs writes for the same CloudEvents messages', async () => {
    const now = 1_732_500_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(now);
    for (const [host, source] of [
      ['alpha', 'watchkeeper/log-collector/alpha'],
      ['h-ü', `watchkeeper/log-collector/${'x'.repeat(300)}`],
    ]) {
      const writer = new CloudEventRecordWriter(source, 'org.watchkeeper.ssh-event.v1');
      const pre: PreEncodedRecord[] = [];
      const plain: Array<{ key: string; value: string; headers: Record<string, string> }> = [];
      // Values and ids of 0 to 20 000 bytes (1-, 2- and 3-byte varint lengths; chunk changes), non-ASCII.
      for (let i = 0; i < 400; i++) {
        const value = JSON.stringify({ i, user: 'ünï'.repeat(i % 5), pad: 'p'.repeat((i * 37) % (i % 50 === 0 ? 20_000 : 300)) });
        const id = `${host}:2049:${i}:fp@${i * 1000}`;
        const time = new Date(Date.UTC(2024, 2, 1) + i * 1000).toISOString();
        pre.push(writer.write(host, value, id, time));
        plain.push({ key: host, value, headers: cloudEventHeaders({ type: 'org.watchkeeper.ssh-event.v1', source, id, time }) });
      }
      const args = (messages: unknown[]) => ({ acks: -1, timeout: 30_000, topicData: [{ topic: 'ssh-events', partitions: [{ partition: 1, messages: messages as never }] }] });
      const fast = encodeProducePayload(args(pre), now, record, Long)!;
      const kafkajs = (await kafkajsProduceV3()(args(plain)).encode()) as { buffer: Buffer };
      expect(fast.buffer.equals(kafkajs.buffer)).toBe(true);
    }
  });

  it('is not encoded with compression (the installed produce request then throws rather than let kafkajs send it)', () => {
    const r = new CloudEventRecordWriter('s', 't').write('a', '{}', 'id', '2024-03-01T00:00:00.000Z');
    expect(r.value).toBeDefined(); // kafkajs' "message has a value" check
    const args = { acks: -1, timeout: 1, compression: 1, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [r as never] }] }] };
    expect(encodeProducePayload(args, 1, record, Long)).toBeUndefined();
  });
});
