import { HostName } from '@watchkeeper/contracts';
import { isHostName, SshdParser, type StatsEvent } from './sshd-parser';
import { SyntheticAuthLog } from './synthetic-auth-log';

/** Lines at the edges of the byte reader's shape: each must give what the string path gives. */
const EDGE_LINES = [
  'Mar 29 17:37:18 alpha sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2',
  'Mar  3 00:17:22 alpha sshd[12]: Failed password for invalid user x from 2001:db8::1 port 2 ssh2',
  'Mar 3 00:17:22 alpha sshd[12]: Invalid user x from ::ffff:192.0.2.7 port 2',
  'Mar 29 17:37:18.123 alpha sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2',
  'Mar 29 17:37:18  alpha  sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2',
  'Mar 29 17:37:18 sshd[7]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 alpha sshd-session[9]: Accepted publickey for a from 192.0.2.4 port 5 ssh2: ED25519 SHA256:x',
  'Mar 29 17:37:18 alpha sshd-auth[9]: Failed password for root from 192.0.2.4 port 5 ssh2',
  'Mar 29 17:37:18 alpha sshd-sessionx[9]: Failed password for root from 192.0.2.4 port 5 ssh2',
  'Mar 29 17:37:18 alpha sshd[]: Failed password for root from 192.0.2.4 port 5 ssh2',
  'Mar 29 17:37:18 alpha sshd[99999999999]: Failed password for root from 192.0.2.4 port 5 ssh2',
  'Mar 29 17:37:18 alpha sshd[5]:',
  'Mar 29 17:37:18 alpha sshd[5]: ',
  'Mar 29 17:37:18 alpha sshd[5]:x',
  'Mar 29 17:37:18 alpha /usr/sbin/sshd[5]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 alpha [sshd]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 alp:ha: sshd[5]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 2001:db8::9 sshd[5]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 host_with~odd sshd[5]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 hôst sshd[5]: Invalid user a from 192.0.2.3',
  'Mar 29 17:37:18 alpha sshd[5]: Invalid user é\u00ff from 192.0.2.3',
  'Mar 29 17:37:18 alpha sshd[5]: message repeated 3 times: [ Failed password for root from 192.0.2.9 port 1 ssh2]',
  'Mar 29 17:37:18 alpha sshd[5]: Something sshd never says',
  'Mar 29 17:37:18 alpha CRON[5]: pam_unix(cron:session): session opened for user sshd',
  'Foo 29 17:37:18 alpha sshd[5]: Invalid user a from 192.0.2.3',
  'Dec 31 23:59:59 alpha sshd[6]: Invalid user a from 192.0.2.3',
  'Jan  1 00:00:01 alpha sshd[6]: Invalid user a from 192.0.2.3',
  '2024-03-29T17:37:18.123456+01:00 alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18.12+01:00 alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18.1Z alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18Z alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18-0530 alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18 alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '2024-03-29T17:37:18.999+14:00  alpha sshd[8]: Failed password for root from 192.0.2.4 port 5 ssh2',
  '<38>Mar 29 17:37:18 alpha sshd[1]: Accepted password for bob from 192.0.2.1 port 22 ssh2',
  '<38>1 2024-03-29T17:37:18Z alpha sshd 1 - - Accepted password for bob from 192.0.2.1 port 22 ssh2',
];

const copy = (e: StatsEvent | undefined) => (e ? { ...e } : undefined);

function compare(lines: string[], encoding: BufferEncoding = 'utf8'): void {
  const byText = new SshdParser({ defaultHost: 'dflt', timeZone: 'Europe/Berlin', year: 2024 });
  const byBytes = new SshdParser({ defaultHost: 'dflt', timeZone: 'Europe/Berlin', year: 2024 });
  // One buffer holding every line, as a chunk does: the reader must stop at each line's end.
  const buf = Buffer.from(lines.join('\n') + '\n', encoding);
  let start = 0;
  for (const line of lines) {
    const end = buf.indexOf(10, start);
    const text = buf.toString('utf8', start, end);
    if (text.includes('sshd')) expect([line, copy(byBytes.statsEventBytes(buf, start, end))]).toEqual([line, copy(byText.statsEvent(text))]);
    start = end + 1;
  }
  expect(byBytes.counters).toEqual(byText.counters);
  expect(byBytes.unrecognizedSamples).toEqual(byText.unrecognizedSamples);
  expect(byBytes.clockState()).toEqual(byText.clockState());
}

describe('SshdParser.statsEventBytes (count reads headers from bytes)', () => {
  it('gives what statsEvent gives on the decoded line, edge lines included', () => {
    compare(EDGE_LINES);
    compare(EDGE_LINES, 'latin1'); // the same lines with bytes that are not UTF-8
  });

  it('gives what statsEvent gives on synthetic logs with classic and RFC 3339 stamps, year end included', () => {
    for (const stamps of ['classic', 'rfc3339'] as const) {
      const lines = new SyntheticAuthLog({ seed: 5, stamps, start: Date.parse('2024-12-31T20:00:00Z'), meanGapSeconds: 2 }).lines(20_000);
      compare(lines);
    }
  });

  it('mixes byte and text headers without losing the stamp cache', () => {
    const mixed = ['Mar 29 17:37:18 alpha sshd[1]: Invalid user a from 192.0.2.3', 'Mar 29 17:37:18.5 alpha sshd[1]: Invalid user a from 192.0.2.3'];
    compare([...mixed, ...mixed, mixed[0], 'Mar 29 17:37:19 alpha sshd[1]: Invalid user a from 192.0.2.3', mixed[1], mixed[0]]);
  });
});

describe('isHostName', () => {
  it('agrees with the contracts HostName schema', () => {
    const names = ['a', 'alpha', 'a.b-c_d', '-a', 'a-', '.a', 'a.', 'a b', 'hôst', '', 'x'.repeat(253), 'x'.repeat(254), '1', '2001:db8::1', 'a_b', 'A9'];
    for (const n of names) expect([n, isHostName(n)]).toEqual([n, HostName.safeParse(n).success]);
  });
});
