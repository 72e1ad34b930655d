import { CalendarDay } from '@watchkeeper/ssh-stats';
import { datesBetween, instantsCovering, instantsOfDates } from './date-range';

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

describe('instants of dates in a time zone', () => {
  it('starts each date at its local midnight, across a DST change and a +05:30 zone', () => {
    expect(instantsOfDates('2026-03-01', '2026-03-02', new CalendarDay('UTC'))).toEqual({ start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-03-03T00:00:00Z') });
    expect(instantsOfDates('2026-03-02', '2026-03-02', new CalendarDay('Asia/Kolkata'))).toEqual({ start: new Date('2026-03-01T18:30:00Z'), end: new Date('2026-03-02T18:30:00Z') });
    // Europe/Berlin goes from +01:00 to +02:00 on 2026-03-29.
    expect(instantsOfDates('2026-03-29', '2026-03-30', new CalendarDay('Europe/Berlin'))).toEqual({ start: new Date('2026-03-28T23:00:00Z'), end: new Date('2026-03-30T22:00:00Z') });
  });

  it('agrees with the calendar on both sides of every boundary', () => {
    const cal = new CalendarDay('America/St_Johns'); // -03:30 / -02:30
    const { start, end } = instantsOfDates('2026-11-01', '2026-11-01', cal);
    expect(cal.of(start.getTime())).toBe('2026-11-01');
    expect(cal.of(start.getTime() - 1)).toBe('2026-10-31');
    expect(cal.of(end.getTime() - 1)).toBe('2026-11-01');
    expect(cal.of(end.getTime())).toBe('2026-11-02');
  });
});
