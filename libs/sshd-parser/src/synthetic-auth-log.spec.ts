import { SshdParser } from './sshd-parser';
import { SyntheticAuthLog } from './synthetic-auth-log';

describe('SyntheticAuthLog', () => {
  it('is deterministic and every sshd line it writes is recognised', () => {
    expect(new SyntheticAuthLog({ seed: 3 }).lines(50)).toEqual(new SyntheticAuthLog({ seed: 3 }).lines(50));
    for (const stamps of ['classic', 'rfc3339'] as const) {
      const p = new SshdParser({ defaultHost: 'x', timeZone: 'UTC', year: 2024 });
      const lines = new SyntheticAuthLog({ seed: 9, stamps }).lines(20_000);
      let other = 0;
      for (const l of lines) if (p.parseLine(l).type === 'other') other++;
      expect(p.counters.unrecognized).toBe(0);
      expect(p.counters.sshd + other).toBe(lines.length);
      expect(other / lines.length).toBeGreaterThan(0.15);
      expect(p.counters.events).toBeGreaterThan(p.counters.sshd * 0.7);
    }
  });
});
