import { criticalSelfChecks, detectSymptoms, type HostWindowActivity } from './detectors';

const now = new Date('2026-05-01T12:00:00Z');
const ago = (min: number) => new Date(now.getTime() - min * 60_000);
const host = (h: string, lastMinAgo: number, over: Partial<HostWindowActivity> = {}): HostWindowActivity => ({
  host: h,
  lastRequestAt: ago(lastMinAgo),
  requests: 5,
  clientErrors: 0,
  uploads: 0,
  unstampedUploads: 0,
  ...over,
});

describe('fleet-health detectors', () => {
  it('silent: quiet for over 30 minutes but seen in the last 24 h', () => {
    const s = detectSymptoms([host('a', 29), host('b', 31), host('c', 24 * 60 + 1)], now);
    expect([...s.get('a')!]).toEqual([]);
    expect([...s.get('b')!]).toEqual(['silent']);
    expect(s.has('c')).toBe(false);
  });

  it('fatal-only: every request in the window was a 4xx; one success clears it', () => {
    const s = detectSymptoms([host('a', 1, { requests: 4, clientErrors: 4 }), host('b', 1, { requests: 4, clientErrors: 3 }), host('c', 40, { requests: 0 })], now);
    expect([...s.get('a')!]).toEqual(['fatal-only']);
    expect([...s.get('b')!]).toEqual([]);
    expect([...s.get('c')!]).toEqual(['silent']);
  });

  it('unstamped: any upload without X-Code-Commit in the window', () => {
    const s = detectSymptoms([host('a', 1, { uploads: 3, unstampedUploads: 1 }), host('b', 1, { uploads: 3 })], now);
    expect([...s.get('a')!]).toEqual(['unstamped']);
    expect([...s.get('b')!]).toEqual([]);
  });
});

describe('criticalSelfChecks', () => {
  const check = (name: string, status: string) => ({ name, status, detail: `${name} is ${status}` });
  it('names the critical checks of each latest report; reports without a readable checks list count as none', () => {
    const r = criticalSelfChecks([
      { host: 'a', report: { checks: [check('disk:/', 'critical'), check('load', 'warning'), check('clock', 'critical')] } },
      { host: 'b', report: { checks: [check('disk:/', 'warning'), check('memory', 'unknown')] } },
      { host: 'c', report: { checks: 'not a list' } },
      { host: 'd', report: { load: 3 } },
    ]);
    expect([...r.keys()]).toEqual(['a']);
    expect(r.get('a')!.map((c) => c.name)).toEqual(['disk:/', 'clock']);
  });
});
