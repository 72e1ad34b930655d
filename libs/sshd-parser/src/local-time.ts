const BUCKET_MS = 15 * 60 * 1000;
const DAY_MS = 86_400_000;

/** The machine's IANA time zone (what classic syslog stamps are written in by default). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Converts wall-clock times of one IANA zone to UTC instants. Offsets are cached per quarter hour
 * (zones only change offset on quarter-hour boundaries), so Intl is consulted rarely.
 */
export class LocalZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  /** The last two buckets asked (toUtc asks for a day before and a day after, line after line). */
  private bucketA = NaN;
  private offA = 0;
  private bucketB = NaN;
  private offB = 0;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
  offsetAt(ms: number): number {
    const bucket = Math.floor(ms / BUCKET_MS);
    if (bucket === this.bucketA) return this.offA;
    if (bucket === this.bucketB) return this.offB;
    let off = this.offsets.get(bucket);
    if (off === undefined) {
      const at = bucket * BUCKET_MS;
      const p: Record<string, number> = {};
      for (const part of this.format.formatToParts(new Date(at))) if (part.type !== 'literal') p[part.type] = Number(part.value);
      off = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at;
      this.offsets.set(bucket, off);
    }
    this.bucketB = this.bucketA;
    this.offB = this.offA;
    this.bucketA = bucket;
    this.offA = off;
    return off;
  }

  /**
   * The instant of a wall-clock time (given as if it were UTC ms). In the hour a DST change repeats,
   * the earlier instant is taken unless it lies before `notBefore` (the previous line), so a log that
   * runs on through the repeated hour stays in order. A wall time skipped by DST is read with the
   * offset before the change, as the clock that wrote it still had it.
   */
  toUtc(wall: number, notBefore = -Infinity): number {
    const before = wall - this.offsetAt(wall - DAY_MS);
    const after = wall - this.offsetAt(wall + DAY_MS);
    if (before === after) return before;
    const beforeValid = this.offsetAt(before) === wall - before;
    const afterValid = this.offsetAt(after) === wall - after;
    if (beforeValid && afterValid) {
      const [early, late] = before < after ? [before, after] : [after, before];
      return early < notBefore ? late : early;
    }
    if (beforeValid) return before;
    if (afterValid) return after;
    return before;
  }
}
