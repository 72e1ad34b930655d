import { cloudEventHeaders } from '@watchkeeper/contracts';
import { encodeRecord, kafkajsRecordEncoder, type RecordInput } from './fast-record-encoder';

const kafkajsRecord = kafkajsRecordEncoder();
const fallbackUsed = jest.fn((input: RecordInput) => kafkajsRecord(input));

function bytesOf(input: RecordInput): Buffer {
  return encodeRecord(input, fallbackUsed).buffer;
}

const ce = cloudEventHeaders({ type: 'org.watchkeeper.ssh-event.v1', source: 'watchkeeper/log-collector/alpha', id: 'alpha:2049:1234:abcdef@104857' });
const json = JSON.stringify({ host: 'alpha', kind: 'failed', user: 'ünïcødé', sourceIp: '2001:db8::1' });

/** Records as the collector and others send them, and the varint edges (1/2/3/5-byte lengths, deltas). */
const CASES: RecordInput[] = [
  { offsetDelta: 0, timestampDelta: 0, key: 'alpha', value: json, headers: ce },
  { offsetDelta: 249, timestampDelta: 3, key: Buffer.from('alpha'), value: Buffer.from(json), headers: ce },
  { key: null, value: null },
  { offsetDelta: 63, timestampDelta: -64, key: '', value: '' },
  { offsetDelta: 64, timestampDelta: 64, key: 'k', value: 'x'.repeat(63) },
  { offsetDelta: 8191, timestampDelta: 8192, key: 'k', value: 'x'.repeat(64) },
  { offsetDelta: 8192, timestampDelta: -8193, value: 'é'.repeat(5000), headers: { a: ['1', Buffer.from([0, 255]), ''], 'ü': 'ß' } },
  { offsetDelta: 1_000_000, timestampDelta: 2 ** 31 + 5, value: 'x'.repeat(70_000), headers: {} },
  { offsetDelta: 7, timestampDelta: -(2 ** 40) - 3, value: 'v', headers: { h: 'x'.repeat(300) } },
  { offsetDelta: 1, timestampDelta: Date.now() - Date.parse('2020-01-01'), value: 'v' },
];

describe('fast record encoder', () => {
  it('writes the same bytes as kafkajs 2.2.4 record encoder, without falling back', () => {
    for (const c of CASES) expect([c, bytesOf(c).toString('hex')]).toEqual([c, kafkajsRecord(c).buffer.toString('hex')]);
    expect(fallbackUsed).not.toHaveBeenCalled();
  });

  it('hands inputs outside its plain shape to kafkajs (same bytes, same errors)', () => {
    const outcome = (f: () => Buffer) => {
      try {
        return { bytes: f().toString('hex') };
      } catch (err) {
        return { error: String(err) };
      }
    };
    const odd: RecordInput[] = [
      { offsetDelta: 1, timestampDelta: 1.5, value: 'v' },
      { offsetDelta: 1, timestampDelta: 2 ** 60, value: 'v' },
      { value: 12 as unknown as string },
      { value: 'v', headers: { h: null as unknown as string } },
    ];
    for (const c of odd) expect(outcome(() => bytesOf(c))).toEqual(outcome(() => kafkajsRecord(c).buffer));
    expect(fallbackUsed).toHaveBeenCalledTimes(odd.length);
  });
});
