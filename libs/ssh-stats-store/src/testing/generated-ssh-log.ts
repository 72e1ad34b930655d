import type { SshEvent } from '@watchkeeper/contracts';

const SOURCES = ['203.0.113.7', '198.51.100.2', '192.0.2.9', '2001:db8::5', '010.1.2.3', '10.1.2.3', '192.0.2.200'];
const KINDS: SshEvent['kind'][] = ['accepted', 'failed', 'failed', 'invalid_user', 'disconnected', 'session_opened', 'session_closed', 'connection_closed', 'auth_failure'];

/**
 * sshd events for the aggregation specs: PIDs from a small range (so they are reused, sometimes
 * within 24 h, sometimes after), lines minutes to 30 h apart, repeats, method `none`, inferred
 * addresses, PID 0, IPv6 and non-canonical IPv4. Sorted by time.
 */
export function generatedSshLog(opts: { hosts: string[]; start: number; days: number; sessionsPerDay: number; pidRange: number; rnd: () => number }): SshEvent[] {
  const { rnd } = opts;
  const out: SshEvent[] = [];
  let n = 0;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  for (const host of opts.hosts) {
    for (let s = 0; s < opts.days * opts.sessionsPerDay; s++) {
      const pid = rnd() < 0.05 ? 0 : 1 + Math.floor(rnd() * opts.pidRange);
      let t = opts.start + Math.floor(rnd() * opts.days * 86_400_000);
      const lines = 1 + Math.floor(rnd() * 4);
      for (let l = 0; l < lines; l++) {
        const kind = pick(KINDS);
        const ip = rnd() < 0.8 ? pick(SOURCES) : undefined;
        const time = new Date(t).toISOString();
        out.push({
          id: `${host}:gen:${n++}`,
          host,
          time,
          timeText: time,
          kind,
          program: 'sshd',
          pid,
          count: rnd() < 0.1 ? 2 + Math.floor(rnd() * 5) : 1,
          ...(ip ? { sourceIp: ip } : {}),
          ...(ip && rnd() < 0.15 ? { sourceInferred: true } : {}),
          ...(kind === 'failed' || kind === 'accepted' ? { method: rnd() < 0.2 ? 'none' : 'password' } : {}),
        });
        const r = rnd();
        t += r < 0.7 ? Math.floor(rnd() * 600_000) : r < 0.9 ? Math.floor(rnd() * 86_400_000) : 86_400_000 + Math.floor(rnd() * 6 * 3600_000) - 3600_000;
      }
    }
  }
  return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
