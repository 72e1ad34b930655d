import { SshDayStats } from '@watchkeeper/contracts';
import { SshStatsAccumulator, type SshStatsInput } from './ssh-stats-accumulator';

const ev = (e: Partial<SshStatsInput> & Pick<SshStatsInput, 'time' | 'pid'>): SshStatsInput => ({ host: 'alpha', kind: 'disconnected', ...e });

/**
 * The seed's five sample lines as the parser turns them into events:
 *   Mar 29 17:37:18 alpha sshd[12345]: Accepted publickey for ubuntu from 10.0.0.5 port 50022 ssh2: …
 *   Mar 29 17:37:18 alpha sshd[12345]: pam_unix(sshd:session): session opened for user ubuntu(uid=1000) by (uid=0)
 *   Mar 29 17:40:02 alpha sshd[12399]: Invalid user admin from 203.0.113.7 port 41234
 *   Mar 29 17:40:04 alpha sshd[12399]: Failed password for invalid user admin from 203.0.113.7 port 41234 ssh2
 *   Mar 29 17:45:11 alpha sshd[12410]: Connection closed by 198.51.100.2 port 55012 [preauth]
 */
const seed: SshStatsInput[] = [
  ev({ time: '2024-03-29T17:37:18Z', pid: 12345, kind: 'accepted', method: 'publickey', sourceIp: '10.0.0.5' }),
  ev({ time: '2024-03-29T17:37:18Z', pid: 12345, kind: 'session_opened' }),
  ev({ time: '2024-03-29T17:40:02Z', pid: 12399, kind: 'invalid_user', sourceIp: '203.0.113.7' }),
  ev({ time: '2024-03-29T17:40:04Z', pid: 12399, kind: 'failed', method: 'password', sourceIp: '203.0.113.7' }),
  ev({ time: '2024-03-29T17:45:11Z', pid: 12410, kind: 'connection_closed', sourceIp: '198.51.100.2' }),
];

describe('SshStatsAccumulator', () => {
  it('counts the seed sample: 3 distinct sshd PIDs, not 4', () => {
    const days = new SshStatsAccumulator().addAll(seed).days();
    expect(days).toEqual([{ host: 'alpha', date: '2024-03-29', sessions: 3, accepted: 1, failed: 1, invalidUser: 1, sources: 3 }]);
    for (const d of days) expect(SshDayStats.parse(d)).toEqual(d);
  });

  it('counts a session once, on the day of its first line, even when it runs past midnight', () => {
    const days = new SshStatsAccumulator()
      .addAll([ev({ time: '2024-03-29T23:59:00Z', pid: 7 }), ev({ time: '2024-03-30T00:10:00Z', pid: 7, kind: 'session_closed' })])
      .days();
    expect(days.map((d) => [d.date, d.sessions])).toEqual([
      ['2024-03-29', 1],
      ['2024-03-30', 0],
    ]);
  });

  it('treats a PID seen again after more than 24 h of silence as a new session', () => {
    const acc = new SshStatsAccumulator().addAll([
      ev({ time: '2024-03-01T10:00:00Z', pid: 9 }),
      ev({ time: '2024-03-02T10:00:00Z', pid: 9 }), // exactly 24 h: same session
      ev({ time: '2024-03-03T10:00:00.001Z', pid: 9 }), // 24 h + 1 ms: new session
    ]);
    expect(acc.days().map((d) => [d.date, d.sessions])).toEqual([
      ['2024-03-01', 1],
      ['2024-03-02', 0],
      ['2024-03-03', 1],
    ]);
  });

  it('lets a late line bridge two spans of a PID into one session', () => {
    const acc = new SshStatsAccumulator().addAll([
      ev({ time: '2024-03-01T00:00:00Z', pid: 5 }),
      ev({ time: '2024-03-02T06:00:00Z', pid: 5 }),
    ]);
    expect(acc.days().reduce((n, d) => n + d.sessions, 0)).toBe(2);
    acc.add(ev({ time: '2024-03-01T15:00:00Z', pid: 5 }));
    expect(acc.days().reduce((n, d) => n + d.sessions, 0)).toBe(1);
  });

  it('moves a session to an earlier day when an older line of it arrives late', () => {
    const acc = new SshStatsAccumulator().addAll([ev({ time: '2024-03-02T01:00:00Z', pid: 5 }), ev({ time: '2024-03-01T23:00:00Z', pid: 5 })]);
    expect(acc.days().map((d) => [d.date, d.sessions])).toEqual([
      ['2024-03-01', 1],
      ['2024-03-02', 0],
    ]);
  });

  it('excludes method none from failed, and expands repeats through count', () => {
    const days = new SshStatsAccumulator()
      .addAll([
        ev({ time: '2024-03-01T00:00:00Z', pid: 1, kind: 'failed', method: 'none' }),
        ev({ time: '2024-03-01T00:00:01Z', pid: 1, kind: 'failed', method: 'password', count: 4 }),
        ev({ time: '2024-03-01T00:00:02Z', pid: 1, kind: 'failed', method: 'keyboard-interactive/pam' }),
        ev({ time: '2024-03-01T00:00:03Z', pid: 1, kind: 'invalid_user', count: 2 }),
        ev({ time: '2024-03-01T00:00:04Z', pid: 1, kind: 'accepted', method: 'password', count: 3 }),
      ])
      .days();
    expect(days[0]).toMatchObject({ failed: 5, invalidUser: 2, accepted: 3, sessions: 1 });
  });

  it('counts distinct client addresses per host and day', () => {
    const days = new SshStatsAccumulator()
      .addAll([
        ev({ time: '2024-03-01T01:00:00Z', pid: 1, sourceIp: '10.0.0.1' }),
        ev({ time: '2024-03-01T02:00:00Z', pid: 2, sourceIp: '10.0.0.1' }),
        ev({ time: '2024-03-01T03:00:00Z', pid: 3, sourceIp: '2001:db8::1' }),
        ev({ time: '2024-03-01T03:00:00Z', pid: 3, host: 'beta', sourceIp: '10.0.0.1' }),
        ev({ time: '2024-03-02T03:00:00Z', pid: 4, sourceIp: '10.0.0.1' }),
      ])
      .days();
    expect(days.map((d) => [d.host, d.date, d.sources, d.sessions])).toEqual([
      ['alpha', '2024-03-01', 2, 3],
      ['alpha', '2024-03-02', 1, 1],
      ['beta', '2024-03-01', 1, 1],
    ]);
  });

  it('does not count an address carried over from an earlier line, nor PID 0 as a session', () => {
    const days = new SshStatsAccumulator()
      .addAll([
        ev({ time: '2024-03-01T23:59:00Z', pid: 3, kind: 'connection_opened', sourceIp: '10.0.0.1' }),
        ev({ time: '2024-03-02T00:00:01Z', pid: 3, kind: 'too_many_failures', sourceIp: '10.0.0.1', sourceInferred: true }),
        ev({ time: '2024-03-02T00:00:02Z', pid: 0, kind: 'auth_failure', sourceIp: '10.0.0.2' }),
      ])
      .days();
    expect(days.map((d) => [d.date, d.sources, d.sessions])).toEqual([
      ['2024-03-01', 1, 1],
      ['2024-03-02', 1, 0],
    ]);
  });

  it('keeps PIDs of different hosts apart', () => {
    const days = new SshStatsAccumulator()
      .addAll([ev({ time: '2024-03-01T01:00:00Z', pid: 1 }), ev({ time: '2024-03-01T01:00:00Z', pid: 1, host: 'beta' })])
      .days();
    expect(days.map((d) => d.sessions)).toEqual([1, 1]);
  });

  it('puts events on the calendar day of the configured time zone, across DST changes', () => {
    const events = [
      ev({ time: '2024-03-30T22:30:00Z', pid: 1 }), // Berlin 23:30 CET, 30 March
      ev({ time: '2024-03-30T23:30:00Z', pid: 2 }), // Berlin 00:30 CET, 31 March (DST starts 02:00)
      ev({ time: '2024-03-31T21:30:00Z', pid: 3 }), // Berlin 23:30 CEST, 31 March
      ev({ time: '2024-03-31T22:30:00Z', pid: 4 }), // Berlin 00:30 CEST, 1 April
      ev({ time: '2024-10-26T21:59:59Z', pid: 5 }), // Berlin 23:59:59 CEST, 26 October
      ev({ time: '2024-10-27T22:59:59Z', pid: 6 }), // Berlin 23:59:59 CET, 27 October (DST ended)
    ];
    const berlin = new SshStatsAccumulator({ timeZone: 'Europe/Berlin' }).addAll(events).days();
    expect(berlin.map((d) => [d.date, d.sessions])).toEqual([
      ['2024-03-30', 1],
      ['2024-03-31', 2],
      ['2024-04-01', 1],
      ['2024-10-26', 1],
      ['2024-10-27', 1],
    ]);
    const utc = new SshStatsAccumulator().addAll(events).days();
    expect(utc.map((d) => [d.date, d.sessions])).toEqual([
      ['2024-03-30', 2],
      ['2024-03-31', 2],
      ['2024-10-26', 1],
      ['2024-10-27', 1],
    ]);
  });

  it('accepts times with offsets and fractions', () => {
    const days = new SshStatsAccumulator().addAll([ev({ time: '2024-03-01T00:30:00.123456+02:00', pid: 1 })]).days();
    expect(days[0].date).toBe('2024-02-29');
  });

  it('gives the same result for any order of the same events', () => {
    const random = mulberry32(42);
    const events: SshStatsInput[] = [];
    const kinds = ['accepted', 'failed', 'invalid_user', 'disconnected', 'session_opened'] as const;
    const base = Date.parse('2024-01-01T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      events.push(
        ev({
          host: random() < 0.5 ? 'alpha' : 'beta',
          time: new Date(base + Math.floor(random() * 10 * 86_400_000)).toISOString(),
          pid: 1 + Math.floor(random() * 40), // few PIDs: lots of reuse, gaps above and below 24 h
          kind: kinds[Math.floor(random() * kinds.length)],
          method: random() < 0.2 ? 'none' : 'password',
          sourceIp: `10.0.0.${Math.floor(random() * 50)}`,
        }),
      );
    }
    const sorted = [...events].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    const expected = new SshStatsAccumulator({ timeZone: 'America/New_York' }).addAll(sorted).days();
    expect(expected.reduce((n, d) => n + d.sessions, 0)).toBeGreaterThan(80);
    for (let round = 0; round < 5; round++) {
      const shuffled = shuffle([...events], random);
      expect(new SshStatsAccumulator({ timeZone: 'America/New_York' }).addAll(shuffled).days()).toEqual(expected);
    }
  });

  it('rejects an unknown time zone and an event time that is not a date', () => {
    expect(() => new SshStatsAccumulator({ timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => new SshStatsAccumulator().add(ev({ time: 'yesterday', pid: 1 }))).toThrow(/not a date/);
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
