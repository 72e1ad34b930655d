import { IsoFormatter } from './iso-time';

describe('IsoFormatter', () => {
  it('formats exactly like Date#toISOString', () => {
    const f = new IsoFormatter();
    let ms = Date.parse('1999-12-31T23:00:00Z');
    for (let i = 0; i < 20_000; i++) {
      ms += Math.floor(((i * 7919) % 1000) * 397.3);
      expect(f.format(ms)).toBe(new Date(ms).toISOString());
    }
    expect(f.format(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(f.format(-1)).toBe('1969-12-31T23:59:59.999Z');
  });
});
