import { admit, emptyOccupancy } from './admission';
import { RateLimiter } from './rate-limiter';
import { parseRetryAfter } from './retry-after';

describe('admission', () => {
  it('drops a flooding source at its quota while others still get in, with round-robin ranks', () => {
    const occ = emptyOccupancy();
    const limits = { capacity: 10, perSourceQuota: 4, perTypeQuota: 8 };
    const flood = Array.from({ length: 6 }, () => admit(occ, 'host/noisy', 'a', limits));
    expect(flood.map((r) => (r.admitted ? r.fairRank : r.cause))).toEqual([1, 2, 3, 4, 'source-quota', 'source-quota']);
    expect(admit(occ, 'host/quiet', 'b', limits)).toEqual({ admitted: true, fairRank: 1 });
    // Alert type "a" from many sources: 4 more fit under its type quota of 8, the rest are dropped.
    const other = Array.from({ length: 6 }, (_, i) => admit(occ, `host/h${i}`, 'a', limits));
    expect(other.map((r) => (r.admitted ? 'in' : r.cause))).toEqual(['in', 'in', 'in', 'in', 'type-quota', 'type-quota']);
    expect(admit(occ, 'host/new', 'c', limits).admitted).toBe(true); // the 10th
    expect(admit(occ, 'host/newer', 'd', limits)).toEqual({ admitted: false, cause: 'queue-full' });
    expect(occ.total).toBe(10);
  });
});

describe('rate limiter', () => {
  it('allows a burst of max, then one per period/max', () => {
    let now = 0;
    const rl = new RateLimiter(2, 1000, () => now);
    expect(rl.waitMs()).toBe(0);
    rl.take();
    rl.take();
    expect(rl.waitMs()).toBe(500);
    now = 500;
    expect(rl.waitMs()).toBe(0);
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
