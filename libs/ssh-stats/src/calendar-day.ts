const BUCKET_MS = 15 * 60 * 1000;

/**
 * Maps an instant to its calendar date (YYYY-MM-DD) in one IANA time zone. Time-zone offsets only
 * change on quarter-hour boundaries, so the answer is cached per 15-minute bucket: Intl formatting
 * is slow and a log has millions of lines but only thousands of distinct quarter hours.
 */
export class CalendarDay {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, string>();
  private lastBucket = NaN;
  private lastDay = '';

  constructor(readonly timeZone = 'UTC') {
    // Throws RangeError for an unknown zone: a clear error at construction, not wrong dates later.
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  of(ms: number): string {
    const bucket = Math.floor(ms / BUCKET_MS);
    if (bucket === this.lastBucket) return this.lastDay;
    let day = this.cache.get(bucket);
    if (day === undefined) {
      const parts = this.format.formatToParts(new Date(bucket * BUCKET_MS));
      const get = (type: string) => parts.find((p) => p.type === type)!.value;
      day = `${get('year')}-${get('month')}-${get('day')}`;
      this.cache.set(bucket, day);
    }
    this.lastBucket = bucket;
    this.lastDay = day;
    return day;
  }
}
