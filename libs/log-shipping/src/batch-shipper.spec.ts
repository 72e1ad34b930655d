import { sendChunks } from './batch-shipper';

describe('sendChunks', () => {
  it('keeps every produce request under the size and count bounds, in order, losing nothing', () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ i, bytes: 200 + (i % 7) * 300 }));
    const chunks = sendChunks(items);
    expect(chunks.flat()).toEqual(items);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000);
      expect(c.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(512 * 1024);
    }
    // One item above the byte bound still goes, alone.
    expect(sendChunks([{ bytes: 10 }, { bytes: 600_000 }, { bytes: 10 }]).map((c) => c.length)).toEqual([1, 1, 1]);
    expect(sendChunks([])).toEqual([]);
  });
});
