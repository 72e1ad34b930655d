/**
 * Deterministic, realistic auth.log text for tests and benchmarks: logins, brute force against real
 * and invalid users, scanners, `message repeated`, PAM lines, and the cron/sudo/logind lines that
 * share the file (about a third of all lines). Same seed, same lines.
 */
export interface SyntheticLogOptions {
  seed?: number;
  host?: string;
  /** First line's instant (ms). */
  start?: number;
  /** `classic` = `Mar 29 17:37:18` (written in UTC), `rfc3339` = rsyslog's high-precision stamps. */
  stamps?: 'classic' | 'rfc3339';
  /** Mean seconds between lines. */
  meanGapSeconds?: number;
  /** Lines of one sshd connection are written together: pids stay unique for the whole log. */
  firstPid?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const USERS = ['admin', 'test', 'oracle', 'ubuntu', 'user', 'postgres', 'git', 'guest', 'ftpuser', 'support', 'pi', 'deploy'];
const REAL = ['alice', 'bob', 'carol', 'deploy'];

export class SyntheticAuthLog {
  private rand: () => number;
  private t: number;
  private pid: number;
  private readonly host: string;
  private readonly stamps: 'classic' | 'rfc3339';
  private readonly gapMs: number;
  private queue: string[] = [];

  constructor(opts: SyntheticLogOptions = {}) {
    this.rand = mulberry32(opts.seed ?? 1);
    this.t = opts.start ?? Date.parse('2024-03-29T00:00:00Z');
    this.pid = opts.firstPid ?? 10_000;
    this.host = opts.host ?? 'alpha';
    this.stamps = opts.stamps ?? 'classic';
    this.gapMs = (opts.meanGapSeconds ?? 0.5) * 1000;
  }

  /** The next line, without a line break. */
  next(): string {
    if (this.queue.length === 0) this.refill();
    return this.queue.shift()!;
  }

  lines(n: number): string[] {
    return Array.from({ length: n }, () => this.next());
  }

  private ip(): string {
    const r = this.rand();
    if (r < 0.1) return `2001:db8:${this.int(0xffff).toString(16)}::${this.int(0xffff).toString(16)}`;
    return `${1 + this.int(222)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  private pick<T>(xs: T[]): T {
    return xs[this.int(xs.length)];
  }

  private stamp(): string {
    this.t += Math.floor(this.rand() * 2 * this.gapMs);
    const d = new Date(this.t);
    if (this.stamps === 'rfc3339') return d.toISOString().replace('Z', '000+00:00');
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  }

  private line(program: string, pid: number | undefined, msg: string): void {
    this.queue.push(`${this.stamp()} ${this.host} ${program}${pid === undefined ? '' : `[${pid}]`}: ${msg}`);
  }

  private refill(): void {
    const r = this.rand();
    const pid = ++this.pid;
    const ip = this.ip();
    const port = 1024 + this.int(64_000);
    const sshd = this.rand() < 0.2 ? 'sshd-session' : 'sshd';
    const s = (msg: string) => this.line(sshd, pid, msg);
    if (r < 0.3) {
      const user = this.pick(USERS);
      s(`Invalid user ${user} from ${ip} port ${port}`);
      s(`pam_unix(sshd:auth): check pass; user unknown`);
      s(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`);
      s(`Failed password for invalid user ${user} from ${ip} port ${port} ssh2`);
      s(`Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
      s(`Disconnected from invalid user ${user} ${ip} port ${port} [preauth]`);
    } else if (r < 0.45) {
      s(`pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`);
      s(`Failed password for root from ${ip} port ${port} ssh2`);
      const n = 1 + this.int(4);
      if (n > 1) s(`message repeated ${n} times: [ Failed password for root from ${ip} port ${port} ssh2]`);
      if (this.rand() < 0.5) {
        s(`error: maximum authentication attempts exceeded for root from ${ip} port ${port} ssh2 [preauth]`);
        s(`Disconnecting authenticating user root ${ip} port ${port}: Too many authentication failures [preauth]`);
        s(`PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`);
      } else {
        s(`Connection closed by authenticating user root ${ip} port ${port} [preauth]`);
      }
    } else if (r < 0.55) {
      s(this.pick([
        `error: kex_exchange_identification: Connection closed by remote host`,
        `error: kex_exchange_identification: read: Connection reset by peer`,
        `banner exchange: Connection from ${ip} port ${port}: invalid format`,
        `Did not receive identification string from ${ip} port ${port}`,
        `Unable to negotiate with ${ip} port ${port}: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]`,
      ]));
      s(`Connection closed by ${ip} port ${port} [preauth]`);
    } else if (r < 0.65) {
      const user = this.pick(REAL);
      const method = this.pick(['publickey', 'publickey', 'password', 'keyboard-interactive/pam']);
      s(`Accepted ${method} for ${user} from ${ip} port ${port} ssh2${method === 'publickey' ? ': ED25519 SHA256:Yk3mXcJ0sq1rVr8e7cB6wq2vY4pGqPj3h0dq5yJjv5E' : ''}`);
      s(`pam_unix(sshd:session): session opened for user ${user}(uid=1000) by ${user}(uid=0)`);
      this.line('systemd-logind', 700, `New session ${pid} of user ${user}.`);
      s(`Received disconnect from ${ip} port ${port}:11: disconnected by user`);
      s(`Disconnected from user ${user} ${ip} port ${port}`);
      s(`pam_unix(sshd:session): session closed for user ${user}`);
      this.line('systemd-logind', 700, `Session ${pid} logged out. Waiting for processes to exit.`);
    } else if (r < 0.8) {
      this.line('CRON', pid, `pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)`);
      this.line('CRON', pid, `pam_unix(cron:session): session closed for user root`);
    } else if (r < 0.88) {
      const user = this.pick(REAL);
      this.line('sudo', undefined, `   ${user} : TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=/usr/bin/systemctl status nginx`);
      this.line('sudo', undefined, `pam_unix(sudo:session): session opened for user root(uid=0) by ${user}(uid=1000)`);
      this.line('sudo', undefined, `pam_unix(sudo:session): session closed for user root`);
    } else if (r < 0.95) {
      this.line('systemd-logind', 700, `Watching system buttons on /dev/input/event${this.int(4)} (Power Button)`);
    } else {
      s(`Connection reset by ${ip} port ${port} [preauth]`);
    }
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
