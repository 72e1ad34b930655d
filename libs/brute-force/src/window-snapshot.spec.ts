import { PartitionWindows } from './sliding-windows';
import { fromSnapshot, toSnapshot } from './window-snapshot';

describe('window snapshot', () => {
  it('round-trips a partition: the restored window decides as the original would', () => {
    const opts = { maxRetry: 3, findTimeMs: 600_000 };
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const w = new PartitionWindows(opts);
    w.add({ id: 'a1', sourceIp: '192.0.2.1', time: t0, count: 1 }, t0);
    for (let i = 0; i < 3; i++) w.add({ id: `b${i}`, sourceIp: '192.0.2.2', time: t0 + i, count: 1 }, t0 + 10);
    const doc = toSnapshot('g/0', '41', w, new Date(t0));
    // Stored as plain objects (no nested arrays: FerretDB refuses them).
    expect(JSON.stringify(doc.sources)).not.toMatch(/\[\[/);
    const back = fromSnapshot(JSON.parse(JSON.stringify(doc)), opts);
    expect(back.watermark).toBe(w.watermark);
    expect(back.liveCount).toBe(1);
    expect(back.add({ id: 'a1', sourceIp: '192.0.2.1', time: t0, count: 1 }, t0).outcome).toBe('duplicate');
    expect(back.add({ id: 'a2', sourceIp: '192.0.2.1', time: t0 + 1, count: 1 }, t0 + 10).changes).toEqual([]);
    expect(back.add({ id: 'a3', sourceIp: '192.0.2.1', time: t0 + 2, count: 1 }, t0 + 10).changes.map((c) => c.action)).toEqual(['trigger']);
    expect(back.sweep(t0 + 600_001)).toEqual([]);
    expect(back.sweep(t0 + 600_002).map((c) => [c.sourceIp, c.at])).toEqual([
      ['192.0.2.2', t0 + 600_002],
      ['192.0.2.1', t0 + 600_002],
    ]);
  });

  it('keeps at most its cap of addresses, open episodes and the most attempts first', () => {
    const opts = { maxRetry: 3, findTimeMs: 600_000 };
    const t0 = Date.parse('2026-03-01T10:00:00Z');
    const w = new PartitionWindows(opts);
    for (let i = 0; i < 3; i++) w.add({ id: `open${i}`, sourceIp: '192.0.2.1', time: t0 + i, count: 1 }, t0 + 10); // open episode
    w.add({ id: 'two', sourceIp: '192.0.2.2', time: t0, count: 2 }, t0);
    for (let i = 0; i < 10; i++) w.add({ id: `one${i}`, sourceIp: `198.51.100.${i}`, time: t0, count: 1 }, t0);
    const doc = toSnapshot('g/0', '1', w, new Date(t0), 2);
    expect(doc.dropped).toBe(10);
    expect(doc.sources.map((s) => s.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(toSnapshot('g/0', '1', w, new Date(t0)).dropped).toBe(0);
  });
});
