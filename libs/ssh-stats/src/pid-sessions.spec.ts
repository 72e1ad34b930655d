import { PidSessions } from './pid-sessions';
import { SESSION_SILENCE_MS, SessionSpans } from './session-spans';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference: one SessionSpans per PID in a Map. */
function reference(events: [number, number][]): number[] {
  const m = new Map<number, SessionSpans>();
  for (const [pid, t] of events) {
    let s = m.get(pid);
    if (!s) m.set(pid, (s = new SessionSpans()));
    s.add(t);
  }
  return [...m.values()].flatMap((s) => s.starts()).sort((a, b) => a - b);
}

describe('PidSessions', () => {
  it('gives the session starts of one SessionSpans per PID, for many PIDs, reuse and any order', () => {
    const r = rng(3);
    const odd = [0x7fffffff, 2 ** 31, 2 ** 40, 1.5, 4194304];
    for (const pidRange of [50, 5_000, 200_000]) {
      const events: [number, number][] = [];
      for (let i = 0; i < 60_000; i++) {
        const pid = r() < 0.01 ? odd[Math.floor(r() * odd.length)] : 1 + Math.floor(r() * pidRange);
        // Days apart sometimes (a reused PID), minutes apart mostly.
        events.push([pid, Math.floor(r() * 10 * SESSION_SILENCE_MS)]);
      }
      const p = new PidSessions();
      for (const [pid, t] of events) p.add(pid, t);
      expect([...p.starts_()].sort((a, b) => a - b)).toEqual(reference(events));
    }
  });

  it('keeps a long span whole when a far line arrives (a span may be longer than the silence)', () => {
    const p = new PidSessions();
    const h = 3_600_000;
    for (let t = 0; t <= 60 * h; t += 20 * h) p.add(7, t); // one session over 60 h, lines 20 h apart
    p.add(7, 100 * h); // 40 h later: a new session
    p.add(7, -30 * h); // 30 h earlier: another
    expect([...p.starts_()].sort((a, b) => a - b)).toEqual([-30 * h, 0, 100 * h]);
  });
});
