import { datesBetween, instantsCovering } from './date-range';

describe('date ranges', () => {
  it('lists every date, both ends included, across month and leap-day boundaries', () => {
    expect(datesBetween('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(datesBetween('2026-01-01', '2026-01-01')).toEqual(['2026-01-01']);
    expect(datesBetween('2026-01-02', '2026-01-01')).toEqual([]);
  });

  it('covers the dates in any time zone plus a day of look-back', () => {
    const { start, end } = instantsCovering('2026-03-01', '2026-03-02');
    expect(start.toISOString()).toBe('2026-02-27T00:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });
});
