import { ipv4Key, ipv4KeyOfBytes } from './ipv4-key';

describe('ipv4Key', () => {
  const canonical = ['0.0.0.0', '1.2.3.4', '10.0.0.1', '192.0.2.255', '255.255.255.255', '100.20.3.0'];
  const other = ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04', '1.2.3.00', '256.1.1.1', '1.2.3.4 ', '1..3.4', '1.2.3.', '.1.2.3', '1234.1.1.1', '2001:db8::1', '::ffff:1.2.3.4', 'host.example', '1.2.3.a', '١.2.3.4'];

  it('maps canonical dotted quads one to one onto 32-bit integers', () => {
    const keys = canonical.map(ipv4Key);
    expect(keys.every((k) => k !== undefined && (k | 0) === k)).toBe(true);
    expect(new Set(keys).size).toBe(canonical.length);
    expect(ipv4Key('1.2.3.4')).toBe(0x01020304);
    expect(ipv4Key('255.255.255.255')).toBe(-1);
    // Back to the text: the same spelling (so a set of keys counts what the set of texts counts).
    for (const t of canonical) {
      const k = ipv4Key(t)! >>> 0;
      expect([k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255].join('.')).toBe(t);
    }
  });

  it('leaves every other spelling as text', () => {
    for (const t of other) expect([t, ipv4Key(t)]).toEqual([t, undefined]);
  });

  it('gives the same key from bytes', () => {
    for (const t of [...canonical, ...other]) {
      const b = Buffer.from(`x ${t} y`, 'utf8');
      expect([t, ipv4KeyOfBytes(b, 2, b.length - 2)]).toEqual([t, ipv4Key(t)]);
    }
  });
});
