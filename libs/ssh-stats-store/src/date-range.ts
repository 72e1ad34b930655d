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
