/**
 * A busy internet-facing host's auth.log, written from sessions whose figures are known as they are
 * made: each sshd session has its own PID, all its lines within a minute of one day (UTC), and each
 * line adds exactly one thing by its wording (OpenSSH's messages). Nothing here uses the parser or
 * the statistics: the expected per-day figures are counted by construction. Used by the receiver's
 * volume test and bench/volume.
 */
export interface BusyHostDay {
  date: string;
  sessions: number;
  accepted: number;
  failed: number;
  invalidUser: number;
  sources: number;
}

export interface BusyHostLog {
  /** In time order, each without its newline. */
  lines: string[];
  /** Lines of sshd (one event each). */
  sshdLines: number;
  days: BusyHostDay[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const stamp = (t: number) => {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

/** `firstDay`: a UTC midnight (ms); classic stamps in UTC. */
export function busyHostLog(opts: { host: string; firstDay: number; days: number; linesPerDay: number; seed?: number }): BusyHostLog {
  let seed = opts.seed ?? 1;
  const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  const int = (n: number) => Math.floor(rnd() * n);
  const lines: Array<[number, string]> = [];
  const days: BusyHostDay[] = [];
  let pid = 10_000;
  let sshdLines = 0;
  const users = ['admin', 'test', 'oracle', 'ubuntu', 'guest', 'postgres', 'git', 'user1'];
  for (let d = 0; d < opts.days; d++) {
    const dayStart = opts.firstDay + d * 86_400_000;
    const day: BusyHostDay = { date: new Date(dayStart).toISOString().slice(0, 10), sessions: 0, accepted: 0, failed: 0, invalidUser: 0, sources: 0 };
    const sources = new Set<string>();
    let count = 0;
    while (count < opts.linesPerDay) {
      // Within the day, a minute before its end at the latest: a session never spans midnight.
      const t = dayStart + int(86_340) * 1000;
      const r = rnd();
      const add = (dt: number, text: string, sshd = true) => {
        lines.push([t + dt * 1000, text]);
        count++;
        if (sshd) sshdLines++;
      };
      if (r < 0.25) {
        // cron noise: not sshd, counts for nothing
        const cronPid = 500_000 + int(100_000);
        add(0, `${stamp(t)} ${opts.host} CRON[${cronPid}]: pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)`, false);
        add(1, `${stamp(t + 1000)} ${opts.host} CRON[${cronPid}]: pam_unix(cron:session): session closed for user root`, false);
        continue;
      }
      const p = pid++;
      // Attack sources from a pool (so addresses repeat within a day), and a few admins' addresses.
      const ip = r < 0.95 ? `203.0.${int(40)}.${1 + int(250)}` : `10.0.0.${1 + int(20)}`;
      const port = 1024 + int(60_000);
      const line = (dt: number, msg: string) => add(dt, `${stamp(t + dt * 1000)} ${opts.host} sshd[${p}]: ${msg}`);
      day.sessions++;
      sources.add(ip);
      if (r < 0.55) {
        const user = users[int(users.length)];
        line(0, `Invalid user ${user} from ${ip} port ${port}`); // invalidUser +1
        line(2, `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`); // failed +1
        line(3, `Connection closed by ${ip} port ${port} [preauth]`);
        day.invalidUser++;
        day.failed++;
      } else if (r < 0.95) {
        const tries = 1 + int(4);
        for (let i = 0; i < tries; i++) line(1 + i * 2, `Failed password for root from ${ip} port ${port} ssh2`); // failed +1 each
        line(2 + tries * 2, `Connection closed by ${ip} port ${port} [preauth]`);
        day.failed += tries;
      } else {
        line(0, `Accepted publickey for ops from ${ip} port ${port} ssh2: ED25519 SHA256:Yk3mXcJ0sq1rVr8e7cB6wq2vY4pGqPj3h0dq5yJjv5E`); // accepted +1
        line(1, `pam_unix(sshd:session): session opened for user ops(uid=1000) by ops(uid=0)`);
        line(30, `pam_unix(sshd:session): session closed for user ops`);
        day.accepted++;
      }
    }
    day.sources = sources.size;
    days.push(day);
  }
  // Stable: a session's lines within one second keep their order.
  lines.sort((a, b) => a[0] - b[0]);
  return { lines: lines.map((l) => l[1]), sshdLines, days };
}
