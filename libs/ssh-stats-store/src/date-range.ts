const DAY_MS = 86_400_000;

/** Every date from `from` to `to`, both inclusive (YYYY-MM-DD, calendar arithmetic in UTC). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Instants that surely contain the dates `from`…`to` in any time zone (offsets are within ±14 h),
 * widened by one more day before `from` for the 24 h session rule.
 */
export function instantsCovering(from: string, to: string): { start: Date; end: Date } {
  return { start: new Date(Date.parse(`${from}T00:00:00Z`) - 2 * DAY_MS), end: new Date(Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS) };
}

const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The first instant that belongs to `date` (or a later date) in the calendar's time zone. Dates are
 * assigned per quarter hour (time-zone offsets only change on quarter hours; see CalendarDay), so the
 * boundary is found by stepping quarter hours from a point surely before it (offsets are within ±14 h).
 */
export function startOfDate(date: string, calendar: { of(ms: number): string }): Date {
  let t = Date.parse(`${date}T00:00:00Z`) - 15 * 3600_000;
  while (calendar.of(t) < date) t += QUARTER_HOUR_MS;
  return new Date(t);
}

/** The instants [start, end) of the dates `from`…`to` (inclusive) in the calendar's time zone. */
export function instantsOfDates(from: string, to: string, calendar: { of(ms: number): string }): { start: Date; end: Date } {
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return { start: startOfDate(from, calendar), end: startOfDate(next, calendar) };
}
