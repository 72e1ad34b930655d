const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `Date#toISOString` for many instants close together: the date part is formatted once per day,
 * the rest by arithmetic. Same output as toISOString for years 0–9999.
 */
export class IsoFormatter {
  private day = NaN;
  private dayText = '';

  format(ms: number): string {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.dayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let rest = ms - day * DAY_MS;
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    const s = Math.floor(rest / 1000);
    const milli = rest - s * 1000;
    return `${this.dayText}${TWO[h]}:${TWO[m]}:${TWO[s]}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}
