import { LineSplitter } from './line-splitter';

function collect(chunks: Buffer[], opts: ConstructorParameters<typeof LineSplitter>[1] = {}, end = true) {
  const out: Array<[string, number]> = [];
  const s = new LineSplitter((buf, a, b, off) => out.push([buf.toString('latin1', a, b), off]), opts);
  for (const c of chunks) s.push(c);
  if (end) s.end();
  return { out, s };
}

/** Every way of cutting `text` into 1..3 chunks. */
function cuts(text: string): Buffer[][] {
  const b = Buffer.from(text, 'latin1');
  const out: Buffer[][] = [[b]];
  for (let i = 0; i <= b.length; i++) {
    out.push([b.subarray(0, i), b.subarray(i)]);
    for (let j = i; j <= b.length; j += 3) out.push([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]);
  }
  return out;
}

describe('LineSplitter', () => {
  const text = 'one\r\ntwo sshd\n\nfour sshd x\nlast sshd';
  const expected: Array<[string, number]> = [
    ['one', 0],
    ['two sshd', 5],
    ['', 14],
    ['four sshd x', 15],
    ['last sshd', 27],
  ];

  it('gives the same lines and byte offsets however the input is cut', () => {
    for (const chunks of cuts(text)) expect(collect(chunks).out).toEqual(expected);
  });

  it('counts the last line without a newline only at end(), and reports where to resume', () => {
    const { out, s } = collect([Buffer.from(text)], {}, false);
    expect(out.map((l) => l[0])).toEqual(['one', 'two sshd', '', 'four sshd x']);
    expect(s.committedOffset).toBe(27);
    expect(s.pendingBytes).toBe(9);
    expect(s.lines).toBe(4);
  });

  it('visits only lines holding the needle but counts all', () => {
    for (const chunks of cuts(text)) {
      const { out, s } = collect(chunks, { needle: 'sshd' });
      // A line completed across chunks is always visited; the others only when they hold the needle.
      expect(out.filter((l) => l[0].includes('sshd'))).toEqual([expected[1], expected[3], expected[4]]);
      expect(s.lines).toBe(5);
      expect(s.committedOffset).toBe(36);
    }
  });

  it('cuts very long lines but keeps counting and offsets exact', () => {
    const long = 'x'.repeat(5000);
    const input = `a\n${long}\nb\n${long}`;
    for (const size of [1, 7, 100, 4096, 20000]) {
      const b = Buffer.from(input);
      const chunks: Buffer[] = [];
      for (let i = 0; i < b.length; i += size) chunks.push(b.subarray(i, i + size));
      const { out, s } = collect(chunks, { maxLineBytes: 100 });
      expect(out).toEqual([
        ['a', 0],
        ['x'.repeat(100), 2],
        ['b', 5003],
        ['x'.repeat(100), 5005],
      ]);
      expect(s.oversized).toBe(2);
      expect(s.committedOffset).toBe(b.length);
    }
  });

  it('passes bytes that are not UTF-8 through unchanged', () => {
    const bad = Buffer.from([0x61, 0xff, 0xfe, 0x0a, 0xc3, 0x0a]);
    const seen: Buffer[] = [];
    const s = new LineSplitter((buf, a, b) => seen.push(Buffer.from(buf.subarray(a, b))));
    s.push(bad.subarray(0, 2));
    s.push(bad.subarray(2));
    expect(seen).toEqual([Buffer.from([0x61, 0xff, 0xfe]), Buffer.from([0xc3])]);
  });
});
