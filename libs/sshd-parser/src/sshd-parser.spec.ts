import { SshEvent } from '@watchkeeper/contracts';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { SshdParser, type LineResult, type SshdEventBody } from './sshd-parser';

const NOW = Date.parse('2024-06-15T12:00:00Z');
const parser = (opts: Partial<ConstructorParameters<typeof SshdParser>[0]> = {}) =>
  new SshdParser({ defaultHost: 'fallback', timeZone: 'UTC', now: () => NOW, ...opts });

function event(r: LineResult): SshdEventBody {
  if (r.type !== 'event') throw new Error(`expected an event, got ${r.type}`);
  return r.event;
}

/** The seed's five sample lines. */
const SEED = [
  'Mar 29 17:37:18 alpha sshd[12345]: Accepted publickey for ubuntu from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Yk3mXcJ0sq1rVr8e7cB6wq2vY4pGqPj3h0dq5yJjv5E',
  'Mar 29 17:37:18 alpha sshd[12345]: pam_unix(sshd:session): session opened for user ubuntu(uid=1000) by (uid=0)',
  'Mar 29 17:40:02 alpha sshd[12399]: Invalid user admin from 203.0.113.7 port 41234',
  'Mar 29 17:40:04 alpha sshd[12399]: Failed password for invalid user admin from 203.0.113.7 port 41234 ssh2',
  'Mar 29 17:45:11 alpha sshd[12410]: Connection closed by 198.51.100.2 port 55012 [preauth]',
];

describe('SshdParser', () => {
  it('parses the seed sample into events whose statistics show 3 sessions (3 distinct PIDs)', () => {
    const p = parser({ year: 2024 });
    const events = SEED.map((l) => event(p.parseLine(l)));
    expect(events.map((e) => e.kind)).toEqual(['accepted', 'session_opened', 'invalid_user', 'failed', 'connection_closed']);
    expect(events[0]).toEqual({
      host: 'alpha', time: '2024-03-29T17:37:18.000Z', timeText: 'Mar 29 17:37:18', kind: 'accepted', program: 'sshd', pid: 12345,
      count: 1, user: 'ubuntu', method: 'publickey', port: 50022, sourceIp: '10.0.0.5',
    });
    expect(events[3]).toMatchObject({ user: 'admin', method: 'password', sourceIp: '203.0.113.7', port: 41234 });
    const days = new SshStatsAccumulator().addAll(events).days();
    expect(days).toEqual([{ host: 'alpha', date: '2024-03-29', sessions: 3, accepted: 1, failed: 1, invalidUser: 1, sources: 3 }]);
    for (const e of events) expect(() => SshEvent.parse({ ...e, id: 'x' })).not.toThrow();
  });

  it('reads RFC 3339 stamps with any fractional precision and offset', () => {
    const p = parser();
    expect(event(p.parseLine('2024-03-29T17:37:18.123456+01:00 web1 sshd[1]: Invalid user x from 192.0.2.1 port 2')).time).toBe('2024-03-29T16:37:18.123Z');
    expect(event(p.parseLine('2024-03-29T17:37:18Z web1 sshd[1]: Invalid user x from 192.0.2.1 port 2')).time).toBe('2024-03-29T17:37:18.000Z');
    expect(event(p.parseLine('2024-03-29T17:37:18.5-0530 web1 sshd[1]: Invalid user x from 192.0.2.1 port 2')).time).toBe('2024-03-29T23:07:18.500Z');
    const local = parser({ timeZone: 'Europe/Berlin' });
    expect(event(local.parseLine('2024-03-29T17:37:18.46667 web1 sshd[1]: Invalid user x from 192.0.2.1')).time).toBe('2024-03-29T16:37:18.466Z');
    expect(event(p.parseLine('2024-03-29T17:37:18.1+01:00 web1 sshd[1]: Invalid user x from 192.0.2.1')).timeText).toBe('2024-03-29T17:37:18.1+01:00');
  });

  it('knows sshd-session and sshd-auth (OpenSSH 9.8+) and a program path, and ignores other programs', () => {
    const p = parser();
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd-session[77]: Accepted password for bob from 192.0.2.9 port 1022 ssh2')).program).toBe('sshd-session');
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd-auth[78]: Failed password for bob from 192.0.2.9 port 1022 ssh2')).program).toBe('sshd-auth');
    expect(event(p.parseLine('Jun  1 10:00:00 h /usr/sbin/sshd[79]: Failed password for bob from 192.0.2.9 port 1022 ssh2')).program).toBe('sshd');
    expect(p.parseLine('Jun  1 10:00:00 h sudo: root : TTY=pts/0 ; COMMAND=/usr/bin/systemctl restart sshd').type).toBe('other');
    expect(p.parseLine('Jun  1 10:00:00 h CRON[5]: pam_unix(cron:session): session opened for user root').type).toBe('other');
    expect(p.counters).toEqual({ sshd: 3, events: 3, ignored: 0, unrecognized: 0 });
  });

  it('expands "message repeated N times" into count N', () => {
    const e = event(parser().parseLine('Jun  1 10:00:00 h sshd[5]: message repeated 4 times: [ Failed password for root from 192.0.2.3 port 5 ssh2]'));
    expect(e).toMatchObject({ kind: 'failed', count: 4, user: 'root', sourceIp: '192.0.2.3' });
  });

  it('reads IPv6, zone ids and IPv4-mapped addresses', () => {
    const p = parser();
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd[5]: Failed password for root from 2001:DB8::1 port 5 ssh2')).sourceIp).toBe('2001:db8::1');
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd[5]: Failed password for root from fe80::1%eth0 port 5 ssh2')).sourceIp).toBe('fe80::1');
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd[5]: Accepted password for root from ::ffff:192.0.2.7 port 5 ssh2')).sourceIp).toBe('192.0.2.7');
    expect(event(p.parseLine('Jun  1 10:00:00 h sshd[5]: Received disconnect from 2001:db8::1: 11: Bye [preauth]')).sourceIp).toBe('2001:db8::1');
  });

  it('infers the year (never more than a day ahead of now) and rolls it over when the month goes back', () => {
    const p = parser(); // now = 2024-06-15
    expect(event(p.parseLine('Dec 31 23:59:59 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2023-12-31T23:59:59.000Z');
    expect(event(p.parseLine('Jan  1 00:00:01 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2024-01-01T00:00:01.000Z');
    expect(event(p.parseLine('Jun 16 11:00:00 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2024-06-16T11:00:00.000Z');
    const ahead = parser();
    expect(event(ahead.parseLine('Jun 17 12:00:00 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2023-06-17T12:00:00.000Z');
  });

  it('takes a given year as the year of the first classic line, and rolls over from there', () => {
    const p = parser({ year: 2019 });
    expect(event(p.parseLine('Nov 30 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2019-11-30T10:00:00.000Z');
    expect(event(p.parseLine('Feb  1 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2020-02-01T10:00:00.000Z');
    // One month back is out-of-order lines, not a new year.
    expect(event(p.parseLine('Jan 31 23:59:59 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2020-01-31T23:59:59.000Z');
  });

  it('resumes with the clock state of a checkpoint', () => {
    const p = parser({ year: 2019 });
    p.parseLine('Dec 30 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1');
    const resumed = parser({ clock: p.clockState() });
    expect(event(resumed.parseLine('Jan  2 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1')).time).toBe('2020-01-02T10:00:00.000Z');
  });

  it('converts classic stamps from the configured zone, across DST in both directions', () => {
    const ny = parser({ timeZone: 'America/New_York', year: 2024 });
    const t = (l: string) => event(ny.parseLine(`${l} h sshd[1]: Invalid user a from 192.0.2.1`)).time;
    expect(t('Mar 10 01:59:59')).toBe('2024-03-10T06:59:59.000Z'); // EST
    expect(t('Mar 10 03:00:00')).toBe('2024-03-10T07:00:00.000Z'); // EDT
    expect(t('Nov  3 01:10:00')).toBe('2024-11-03T05:10:00.000Z'); // first 01:10, EDT
    expect(t('Nov  3 01:50:00')).toBe('2024-11-03T05:50:00.000Z'); // EDT
    expect(t('Nov  3 01:10:00')).toBe('2024-11-03T06:10:00.000Z'); // the repeated hour, EST: stays in order
    expect(t('Nov  3 02:00:00')).toBe('2024-11-03T07:00:00.000Z');
  });

  it('takes the host from the line, or the default when the header has none', () => {
    const p = parser();
    expect(event(p.parseLine('Nov 23 21:50:37 sshd[8148]: Connection closed by 61.0.0.1 [preauth]')).host).toBe('fallback');
    expect(event(p.parseLine('Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed in AllowUsers'))).toMatchObject({ host: 'fallback', pid: 0 });
    expect(event(p.parseLine('Mar  3 00:17:22 web:01 sshd[3]: Invalid user a from 192.0.2.1')).host).toBe('web-01');
    expect(event(p.parseLine('Mar  3 00:17:22 2001:db8::7 sshd[3]: Invalid user a from 192.0.2.1')).host).toBe('2001-db8--7');
  });

  it('carries a PID\'s address to its later lines that name none, marked as inferred', () => {
    const p = parser();
    event(p.parseLine('Feb 12 04:09:18 h sshd[26713]: Connection from 115.249.163.77 port 51353 on 127.0.0.1 port 22'));
    const e = event(p.parseLine('Feb 12 04:09:21 h sshd[26713]: Disconnecting: Too many authentication failures for root [preauth]'));
    expect(e).toMatchObject({ kind: 'too_many_failures', user: 'root', sourceIp: '115.249.163.77', sourceInferred: true });
    const other = event(p.parseLine('Feb 12 04:09:21 h sshd[999]: Disconnecting: Too many authentication failures [preauth]'));
    expect(other.sourceIp).toBeUndefined();
  });

  it('classifies the kinds of the issue', () => {
    const p = parser();
    const kind = (msg: string) => {
      const r = p.parseLine(`Jun  1 10:00:00 h sshd[5]: ${msg}`);
      return r.type === 'event' ? [r.event.kind, (!r.event.sourceInferred && r.event.sourceIp) || null, r.event.user ?? null, r.event.method ?? null] : r.type;
    };
    expect(kind('Accepted keyboard-interactive/pam for carol from 192.0.2.1 port 22 ssh2')).toEqual(['accepted', '192.0.2.1', 'carol', 'keyboard-interactive/pam']);
    expect(kind('Failed none for invalid user x from 192.0.2.1 port 22 ssh2')).toEqual(['failed', '192.0.2.1', 'x', 'none']);
    expect(kind('Connection closed by invalid user x 192.0.2.1 port 22 [preauth]')).toEqual(['connection_closed', '192.0.2.1', 'x', null]);
    expect(kind('Disconnected from user carol 192.0.2.1 port 22')).toEqual(['disconnected', '192.0.2.1', 'carol', null]);
    expect(kind('Received disconnect from 192.0.2.1 port 22:11: disconnected by user')).toEqual(['disconnected', '192.0.2.1', null, null]);
    expect(kind('Disconnecting authenticating user root 192.0.2.1 port 22: Too many authentication failures [preauth]')).toEqual(['too_many_failures', '192.0.2.1', 'root', null]);
    expect(kind('error: maximum authentication attempts exceeded for invalid user x from 192.0.2.1 port 22 ssh2 [preauth]')).toEqual(['max_auth_attempts', '192.0.2.1', 'x', null]);
    expect(kind('error: kex_exchange_identification: Connection closed by remote host')).toEqual(['protocol_error', null, null, null]);
    expect(kind('banner exchange: Connection from 192.0.2.1 port 1: invalid format')).toEqual(['protocol_error', '192.0.2.1', null, null]);
    expect(kind('pam_unix(sshd:session): session closed for user carol')).toEqual(['session_closed', null, 'carol', null]);
    expect(kind('pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root')).toEqual(['auth_failure', '192.0.2.1', 'root', null]);
    expect(kind('drop connection #0 from [192.0.2.1]:48602 on [192.0.2.2]:22 penalty: exceeded LoginGraceTime')).toEqual(['connection_refused', '192.0.2.1', null, null]);
    expect(kind('Server listening on 0.0.0.0 port 22.')).toBe('ignored');
    expect(kind('Something new in OpenSSH 12')).toBe('unrecognized');
  });

  it('counts sshd lines it does not recognise, with samples, and never throws on odd input', () => {
    const p = parser();
    expect(p.parseLine('Jun  1 10:00:00 h sshd[5]: Something new in OpenSSH 12').type).toBe('unrecognized');
    expect(p.parseLine('garbled sshd[5]: no header at all').type).toBe('unrecognized');
    expect(p.parseLine('Jun  1 10:00:00 h sshd[5]: Invalid user \uFFFD\uFFFD from 192.0.2.1').type).toBe('event');
    expect(p.parseLine(`Jun  1 10:00:00 h sshd[5]: Failed password for ${'x'.repeat(100_000)} from 192.0.2.1 port 1 ssh2`).type).toBe('unrecognized');
    expect(p.parseLine('').type).toBe('other');
    expect(p.counters).toEqual({ sshd: 4, events: 1, ignored: 0, unrecognized: 3 });
    expect(p.unrecognizedSamples[0]).toBe('Something new in OpenSSH 12');
  });

  it('rejects an unknown time zone at construction', () => {
    expect(() => parser({ timeZone: 'Nowhere/Land' })).toThrow(RangeError);
  });
});
