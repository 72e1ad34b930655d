import { Topics, type SshEvent } from '@watchkeeper/contracts';
import { createKafka, EventProducer } from '@watchkeeper/kafka';
import { createLogger } from '@watchkeeper/runtime';
import { checkedSshEvent, SshdParser, SyntheticAuthLog } from '@watchkeeper/sshd-parser';
import { encodeSshEvent, eventSource } from './ssh-event-encoder';

// Never connected: encode() is pure, and the comparison needs the producer's own serialisation.
const source = eventSource('alpha');
const producer = new EventProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'spec', logger: createLogger({ service: 'spec', level: 'silent' }) }), source);

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (err) {
    return { error: String(err) };
  }
}

function events(stamps: 'classic' | 'rfc3339', n: number): SshEvent[] {
  const parser = new SshdParser({ defaultHost: 'alpha', timeZone: 'America/New_York', year: 2024 });
  const out: SshEvent[] = [];
  let offset = 0;
  for (const line of new SyntheticAuthLog({ seed: 11, stamps, start: Date.parse('2024-12-31T22:00:00Z') }).lines(n)) {
    const r = parser.parseLine(line);
    const id = `alpha:1:2:abc@${offset}`;
    if (r.type === 'event') out.push(offset % 2 ? { ...r.event, id, origin: { path: '/var/log/auth.log', fileId: '1:2:abc', offset } } : { ...r.event, id });
    offset += line.length + 1;
  }
  return out;
}

describe('encodeSshEvent', () => {
  it('gives the producer’s message for every event the parser makes, without zod', () => {
    const all = [...events('classic', 5000), ...events('rfc3339', 5000)];
    expect(all.length).toBeGreaterThan(5000);
    for (const e of all) {
      expect(checkedSshEvent(e)).toBeDefined();
      expect(encodeSshEvent(producer, source, e, e.id, e.time)).toEqual(producer.encode(Topics.sshEvents, e, { id: e.id, time: e.time }));
    }
  });

  it('leaves values the hand check cannot vouch for to zod: same message or the same error', () => {
    const base = events('classic', 200)[0];
    const odd: Array<Record<string, unknown>> = [
      { host: 'bad host' },
      { host: '' },
      { time: '2024-02-30T00:00:00.000Z' },
      { time: '2024-03-01T24:00:00.000Z' },
      { time: '2023-02-29T00:00:00.000Z' },
      { time: '2024-02-29T00:00:00.000Z' },
      { time: '2024-03-01t00:00:00.000Z' },
      { time: '2024-03-01T00:00:00.000Z\n' },
      { time: '2024-03-01T00:00:00+01:00' },
      { kind: 'nope' },
      { pid: -1 },
      { pid: 1.5 },
      { port: 65536 },
      { port: 0 },
      { count: 0 },
      { count: undefined },
      { count: 3 },
      { sourceInferred: 'yes' },
      { user: 5 },
      { extra: 'dropped' },
      { origin: { path: '/x', fileId: 'f', offset: -1 } },
      { origin: { path: '/x', fileId: 'f', offset: 1, more: 2 } },
      { id: 'x'.repeat(201) },
    ];
    let vouched = 0;
    for (const change of odd) {
      const e = { ...base, ...change } as SshEvent;
      if (checkedSshEvent(e)) vouched++;
      expect([change, outcome(() => encodeSshEvent(producer, source, e, base.id, base.time))]).toEqual([
        change,
        outcome(() => producer.encode(Topics.sshEvents, e, { id: base.id, time: base.time })),
      ]);
    }
    // Valid variants are vouched for; invalid ones never are (zod then throws).
    expect(vouched).toBe(7); // 29 Feb 2024, +01:00, port 0, count 3 or absent, unknown keys (dropped)
  });
});
