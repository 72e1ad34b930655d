import { Topics } from '@watchkeeper/contracts';
import { createKafka, EventProducer, kafkajsRecordEncoder } from '@watchkeeper/kafka';
import { lineEventId } from '@watchkeeper/log-tailer';
import { createLogger } from '@watchkeeper/runtime';
import { SshdParser, SyntheticAuthLog } from '@watchkeeper/sshd-parser';
import { contractParts, FileBatchEncoder } from './file-batch-encoder';
import { eventSource } from './ssh-event-encoder';

// Never connected: encode() is pure; kafkajs' own record encoder writes the reference bytes.
const source = eventSource('alpha');
const producer = new EventProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger: createLogger({ service: 'spec', level: 'silent' }) }), source);
const kafkajsRecord = kafkajsRecordEncoder();

/** A record at offset delta 0 without its own timestamp: kafkajs writes length, 0, 0, 0, then what the tail holds. */
function kafkajsTail(message: { key: string; value: string; headers: Record<string, string> }): Buffer {
  const full = kafkajsRecord({ ...message, offsetDelta: 0, timestampDelta: 0 }).buffer;
  let i = 0;
  while (full[i] & 0x80) i++; // the length varint
  return full.subarray(i + 4);
}

describe('FileBatchEncoder', () => {
  it('writes, line by line, the record kafkajs writes for the producer’s message of the parsed event', () => {
    for (const stamps of ['classic', 'rfc3339'] as const) {
      const lines = new SyntheticAuthLog({ seed: 4, stamps, host: 'alpha', start: Date.parse('2024-12-31T22:00:00Z') }).lines(4000);
      let offset = 0;
      const followed = lines.map((text) => ({ text, offset: (offset += text.length + 1) - text.length - 1 }));
      const opts = { host: 'alpha', path: '/var/log/auth.log', timeZone: 'Europe/Berlin', source, clock: undefined, contract: contractParts() };
      const encoder = new FileBatchEncoder(opts);
      // Two batches: the parser's state carries over.
      const got = [...encoder.encode('1:2:ab', followed.slice(0, 1500)).records, ...encoder.encode('1:2:ab', followed.slice(1500)).records];
      const parser = new SshdParser({ defaultHost: 'alpha', timeZone: 'Europe/Berlin' });
      const want: Buffer[] = [];
      for (const l of followed) {
        const r = parser.parseLine(l.text);
        if (r.type !== 'event') continue;
        const id = lineEventId('alpha', '1:2:ab', l.offset);
        const m = producer.encode(Topics.sshEvents, { ...r.event, id, origin: { path: opts.path, fileId: '1:2:ab', offset: l.offset } }, { id, time: r.event.time });
        want.push(kafkajsTail(m as { key: string; value: string; headers: Record<string, string> }));
      }
      expect(got.length).toBe(want.length);
      expect(got.length).toBeGreaterThan(2000);
      for (let i = 0; i < got.length; i++) expect(got[i].buf.subarray(got[i].start, got[i].end).toString('hex')).toBe(want[i].toString('hex'));
    }
  });
});
