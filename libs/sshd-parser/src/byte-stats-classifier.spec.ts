/**
 * The byte classifier must give, on every message it answers, what classifySshdMessage gives (kind,
 * address, method, count; ignored stays ignored), and answer on most realistic lines. Checked on the
 * synthetic generator's output, on the fail2ban/sshguard corpora (../shared/data/sshd, skipped with a
 * note when absent) and on lines built to sit at the edges of each shortcut.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { classifyStatsBytes, FALLBACK, isNoneMethod, newByteStats, STATS_EVENT, STATS_IGNORED } from './byte-stats-classifier';
import { classifySshdMessage, IGNORED } from './sshd-message';
import { SyntheticAuthLog } from './synthetic-auth-log';

const EDGE_MESSAGES = [
  'Failed password for root from 192.0.2.4 port 5 ssh2',
  'Failed password for root from 192.0.2.4 port 5 ssh2 [preauth]',
  'Failed password for root from 192.0.2.4 port 5 ssh2  [preauth]',
  'Failed password for root from 192.0.2.4 port 5 ssh2 ',
  'Failed password for root from 192.0.2.4 port 5',
  'Failed password for root from 192.0.2.4 port 5 ssh',
  'Failed password for root from 192.0.2.4 port 5 sshd',
  'Failed password for root from 192.0.2.4',
  'Failed none for invalid user x from 2001:DB8::A port 5 ssh2',
  'Failed password for invalid user from 192.0.2.4 port 5 ssh2',
  'Failed password for invalid user  from 192.0.2.4 port 5 ssh2',
  'Failed password for  from 192.0.2.4 port 5 ssh2',
  'Failed password for x from 10.0.0.1 port 1 ssh2 from 127.0.0.1 port 2 ssh2',
  'Failed password for x from 10.0.0.1: from 127.0.0.1 port 2 ssh2',
  'Failed password for invalid user x from 10.0.0.1 port 1 ssh2 from 127.0.0.1 port 2 ssh2',
  'Failed password for x from ::ffff:192.0.2.7 port 2 ssh2',
  'Failed password for x from 2001:db8::1%eth0 port 2 ssh2',
  'Failed password for x from [2001:db8::1] port 2 ssh2',
  'Failed password for x from 1:2:3:4:5:6:7:8:9 port 2 ssh2',
  'Failed password for x from 1:2 port 2 ssh2',
  'Failed password for x from 12345 port 2 ssh2',
  'Failed password for x from 1.2.3.4.5 port 2 ssh2',
  'Failed password for x from 1.2.3 port 2 ssh2',
  'Failed password for x from 1234.2.3.4 port 2 ssh2',
  'Failed password for x from host.example port 2 ssh2',
  'Failed password for x from 1.2.3.4 port 2 ssh2: RSA x',
  'Failed pass word for x from 1.2.3.4 port 2 ssh2',
  'Failed påss for x from 1.2.3.4 port 2 ssh2',
  'Failed password for é from 1.2.3.4 port 2 ssh2',
  'Failed password for x\rfrom 1.2.3.4 port 2 ssh2',
  'Accepted publickey for a from 192.0.2.4 port 5 ssh2: ED25519 SHA256:x',
  'Accepted publickey for a from 192.0.2.4 port 5 ssh2: ED25519 SHA256:x\r',
  'Accepted publickey for a from 192.0.2.4 port 5 ssh2: ED25519 \u2028 x',
  'Accepted publickey for a from 192.0.2.4 port 5 ssh2:',
  'Accepted publickey for a from 192.0.2.4 port 5: x',
  'Accepted publickey for a from 10.0.0.1: from 192.0.2.4 port 5 ssh2',
  'Accepted password for a from 192.0.2.4 port 5 ssh2 from 10.0.0.1 port 6 ssh2',
  'Accepted password for a from 192.0.2.4',
  'Invalid user x from 192.0.2.3 port 4',
  'Invalid user x from 192.0.2.3',
  'Invalid user  from 192.0.2.3 port 4',
  'Invalid user from 192.0.2.3 port 4',
  'Invalid user x from 192.0.2.3 port 4 from 192.0.2.5 port 6',
  'Invalid user x from 192.0.2.3  port 4',
  'Invalid user x from ABCD::EF port 4',
  'Disconnected from 192.0.2.3 port 4',
  'Disconnected from user bob 192.0.2.3 port 4',
  'Disconnected from user 192.0.2.3 port 4',
  'Disconnected from user  192.0.2.3 port 4',
  'Disconnected from invalid user a b c 192.0.2.3 port 4 [preauth]',
  'Disconnected from authenticating user root 192.0.2.3 port 4 [preauth]',
  'Disconnected from somebody 192.0.2.3 port 4',
  'Disconnected from user bob 192.0.2.3',
  'Disconnected from user bob 192.0.2.3 port',
  'Connection closed by 192.0.2.3 port 4 [preauth]',
  'Connection closed by authenticating user root 192.0.2.3 port 4 [preauth]',
  'Connection reset by invalid user x 2001:db8::5 port 4 [net]',
  'Connection closed by user 2001:db8::5 port 4',
  'Connection closed by 192.0.2.3 port 4 on 1.2.3.4 port 22',
  'Received disconnect from 192.0.2.3 port 4:11: Bye Bye [preauth]',
  'Received disconnect from 192.0.2.3 port 4: 11: Bye Bye',
  'Received disconnect from 192.0.2.3 port 4:11:',
  'Received disconnect from 192.0.2.3 port 4:11',
  'Received disconnect from 192.0.2.3 port 4:x: y',
  'Received disconnect from 2001:db8::1: 11: Bye',
  'Received disconnect from 192.0.2.3 port 4:11: a\rb',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3  user=root',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=  user=root',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=Host.Example.ORG',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:DB8::1 user=x',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=::ffff:1.2.3.4 user=x',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4\tuser=x',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4,user=x',
  'pam_unix(sshd:auth): authentication failure; logname=\r rhost=1.2.3.4 user=x',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0',
  'pam_unix(sshd:auth): check pass; user unknown',
  'pam_unix(sshd:session): session opened for user carol(uid=1000) by carol(uid=0)',
  'pam_unix(sshd:session): session closed for user carol',
  'pam_unix(sshd:session): session closed for user (x)',
  'pam_unix(sshd:session): session closed for user ',
  'pam_unix(sshd:session): session closed for user',
  'PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3  user=root',
  'PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3',
  'PAM more authentication failures; rhost=192.0.2.3',
  'PAM 2 more authentication failures rhost=192.0.2.3',
  'error: maximum authentication attempts exceeded for root from 192.0.2.3 port 4 ssh2 [preauth]',
  'error: maximum authentication attempts exceeded for invalid user x from 192.0.2.3 port 4 ssh2 [preauth]',
  'error: maximum authentication attempts exceeded for invalid user from 192.0.2.3 port 4 ssh2',
  'error: maximum authentication attempts exceeded for root from 192.0.2.3 port 4 ssh2: x',
  'error: kex_exchange_identification: Connection closed by remote host',
  'error: kex_exchange_identification: read: Connection reset by peer',
  'error: kex_exchange_identification: banner line contains invalid characters ',
  'error: PAM: Authentication failure for root from 192.0.2.3',
  'message repeated 3 times: [ Failed password for root from 192.0.2.9 port 1 ssh2]',
  'message repeated 3 times: [Failed password for root from 192.0.2.9 port 1 ssh2]',
  'message repeated 3 times: [  Failed password for root from 192.0.2.9 port 1 ssh2]',
  'message repeated 007 times: [ Failed none for root from 192.0.2.9 port 1 ssh2]',
  'message repeated 2 times: [ pam_unix(sshd:auth): check pass; user unknown]',
  'message repeated 2 times: [ Failed password for root from 192.0.2.9 port 1 ssh2] [preauth]',
  'message repeated 2 times: [ Failed password for root from 192.0.2.9 port 1 ssh2 [preauth]]',
  'message repeated 2 times: [ message repeated 3 times: [ Invalid user x from 192.0.2.3 port 4]]',
  'message repeated 1234567890 times: [ Failed password for root from 192.0.2.9 port 1 ssh2]',
  'message repeated 2 times: [ Something new]',
  'Disconnecting authenticating user root 192.0.2.3 port 4: Too many authentication failures [preauth]',
  'Disconnecting invalid user x 192.0.2.3 port 4: Change of username or service not allowed: (x,ssh-connection) -> (y,ssh-connection) [preauth]',
  'Disconnecting user a b 192.0.2.3 port 4: Too many authentication failures',
  'Disconnecting user a: 192.0.2.3 port 4: Too many authentication failures',
  'Disconnecting user  192.0.2.3 port 4: x',
  'Disconnecting user x 192.0.2.3 port 4:x',
  'Disconnecting user x 192.0.2.3: x',
  'Disconnecting: Too many authentication failures for root [preauth]',
  'Did not receive identification string from 192.0.2.3 port 4',
  'Did not receive identification string from 192.0.2.3',
  'Did not receive identification string from  192.0.2.3 port 4',
  'banner exchange: Connection from 192.0.2.3 port 4: invalid format',
  'banner exchange: Connection from 192.0.2.3 port 4: invalid format.',
  'banner exchange: Connection from 2001:db8::3 port 4: invalid format',
  'banner exchange: Connection from 192.0.2.3: invalid format',
  'Unable to negotiate with 192.0.2.3 port 4: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]',
  'Unable to negotiate with 192.0.2.3 port 4: no matching host key type found. Their offer: ssh-rsa,ssh-dss',
  'Unable to negotiate with 192.0.2.3 port 4:no',
  'User root from 192.0.2.3 not allowed because not listed in AllowUsers',
  'pam_unix(sshd:session): session opened for user carol(uid=1000) by carol(uid=0)  ',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3 \u00a0',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3\u00a0x',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3 [preauth]',
  'Something sshd never says',
  '',
  ' ',
  '[preauth]',
  ' [preauth]',
];

interface Outcome {
  type: 'ignored' | 'event' | 'unknown';
  kind?: string;
  sourceIp?: string;
  method?: string;
  count?: number;
}

function byText(message: string): Outcome {
  const f = classifySshdMessage(message);
  if (f === IGNORED) return { type: 'ignored' };
  if (!f) return { type: 'unknown' };
  return { type: 'event', kind: f.kind, sourceIp: f.sourceIp, method: f.kind === 'failed' || f.kind === 'accepted' ? f.method : undefined, count: f.count };
}

/** The byte classifier's answer, or undefined when it falls back. */
function byBytes(buf: Buffer, start: number, end: number): Outcome | undefined {
  const out = newByteStats();
  const r = classifyStatsBytes(buf, start, end, out);
  if (r === FALLBACK) return undefined;
  if (r === STATS_IGNORED) return { type: 'ignored' };
  expect(r).toBe(STATS_EVENT);
  const ip = out.addrStart < 0 ? undefined : buf.toString('latin1', out.addrStart, out.addrEnd);
  const method = out.kind === 'failed' || out.kind === 'accepted' ? buf.toString('latin1', out.methodStart, out.methodEnd) : undefined;
  if (method !== undefined) expect(isNoneMethod(buf, out)).toBe(method === 'none');
  return { type: 'event', kind: out.kind, sourceIp: ip && out.addrLower ? ip.toLowerCase() : ip, method, count: out.count };
}

/** Compares both on every message (each placed after a header-like prefix in one buffer); returns how many the bytes answered. */
function compareAll(messages: string[], encoding: BufferEncoding = 'utf8'): number {
  const prefix = 'Mar 29 17:37:18 alpha sshd[5]: ';
  const buf = Buffer.from(messages.map((m) => prefix + m).join('\n') + '\n', encoding);
  let answered = 0;
  let at = 0;
  for (const m of messages) {
    const start = at + Buffer.byteLength(prefix, encoding);
    const end = buf.indexOf(10, start);
    const fast = byBytes(buf, start, end);
    if (fast) {
      answered++;
      expect([m, fast]).toEqual([m, byText(buf.toString('utf8', start, end))]);
    }
    at = end + 1;
  }
  return answered;
}

const sshdMessage = (line: string) => /\bsshd(?:-session|-auth)?\[\d+\]: (.*)$/.exec(line)?.[1];

describe('classifyStatsBytes (count classifies common messages from bytes)', () => {
  it('gives what classifySshdMessage gives on edge messages, and falls back on the uncertain ones', () => {
    const answered = compareAll(EDGE_MESSAGES);
    compareAll(EDGE_MESSAGES, 'latin1');
    // The shortcuts are taken on the plain shapes (not only falling back everywhere).
    expect(answered).toBeGreaterThan(40);
    const buf = Buffer.from('Failed password for x from 10.0.0.1: from 127.0.0.1 port 2 ssh2');
    expect(byBytes(buf, 0, buf.length)).toBeUndefined();
  });

  it('gives what classifySshdMessage gives on synthetic logs, answering nearly every sshd line', () => {
    for (const stamps of ['classic', 'rfc3339'] as const) {
      const messages = new SyntheticAuthLog({ seed: 9, stamps }).lines(30_000).map(sshdMessage).filter((m): m is string => m !== undefined);
      const answered = compareAll(messages);
      expect(answered / messages.length).toBeGreaterThan(0.9);
    }
  });

  const DATA = path.resolve(__dirname, '../../../../shared/data/sshd');
  const present = fs.existsSync(DATA);
  if (!present) console.warn(`sshd corpus not found at ${DATA}: the corpus comparison of the byte classifier is skipped`);
  (present ? it : it.skip)('gives what classifySshdMessage gives on the fail2ban and sshguard corpora', () => {
    let answered = 0;
    for (const file of fs.readdirSync(DATA).filter((f) => !f.endsWith('.md'))) {
      const lines = fs.readFileSync(path.join(DATA, file), 'utf8').split('\n');
      // Every line as a message too (the corpora hold lines in many header formats).
      const messages = [...lines.map(sshdMessage).filter((m): m is string => m !== undefined), ...lines];
      answered += compareAll(messages);
    }
    expect(answered).toBeGreaterThan(50);
  });
});
