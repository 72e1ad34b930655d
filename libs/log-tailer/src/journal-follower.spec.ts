import { JournalFollower, parseEntry } from './journal-follower';

describe('parseEntry', () => {
  const base = { __CURSOR: 's=ab;i=1', __REALTIME_TIMESTAMP: '1711733838123456', _PID: '42', SYSLOG_IDENTIFIER: 'sshd', _COMM: 'sshd', _HOSTNAME: 'alpha' };

  it('reads the fields journalctl prints as text', () => {
    expect(parseEntry(JSON.stringify({ ...base, MESSAGE: 'Accepted password for bob from 10.0.0.1 port 22 ssh2' }))).toEqual({
      cursor: 's=ab;i=1',
      realtimeUs: '1711733838123456',
      message: 'Accepted password for bob from 10.0.0.1 port 22 ssh2',
      identifier: 'sshd',
      comm: 'sshd',
      pid: 42,
      hostname: 'alpha',
    });
  });

  it('decodes a message that is not UTF-8 (printed as an array of bytes) and takes the first of repeated fields', () => {
    const bytes = [...Buffer.from('Invalid user '), 0xff, ...Buffer.from(' from 10.0.0.2 port 1')];
    const e = parseEntry(JSON.stringify({ ...base, MESSAGE: bytes, SYSLOG_IDENTIFIER: ['sshd-session', 'sshd'] }));
    expect(e?.message).toBe('Invalid user \uFFFD from 10.0.0.2 port 1');
    expect(e?.identifier).toBe('sshd-session');
  });

  it('takes SYSLOG_PID when there is no _PID, and 0 when neither is usable', () => {
    expect(parseEntry(JSON.stringify({ ...base, _PID: undefined, SYSLOG_PID: '7' }))?.pid).toBe(7);
    expect(parseEntry(JSON.stringify({ ...base, _PID: 'x' }))?.pid).toBe(0);
  });

  it('refuses lines that are not an entry with a cursor and a time', () => {
    expect(parseEntry('not json')).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...base, __CURSOR: undefined }))).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...base, __REALTIME_TIMESTAMP: 'soon' }))).toBeUndefined();
  });
});

describe('JournalFollower arguments', () => {
  it('follow all entries (after the cursor when there is one), only sshd identifiers OR-ed over two fields', () => {
    const fresh = new JournalFollower(undefined, { directory: '/j' }).args();
    expect(fresh).toEqual(expect.arrayContaining(['--follow', '--output=json', '--no-tail', '--directory=/j']));
    expect(fresh.some((a) => a.startsWith('--after-cursor') || a.startsWith('--cursor'))).toBe(false);
    const resumed = new JournalFollower('s=1;i=2', { files: ['/a.journal', '/b.journal'], identifiers: ['sshd'] }).args();
    // --no-tail also after a cursor: with --follow, journalctl would otherwise print only the last 10 entries.
    expect(resumed).toEqual(expect.arrayContaining(['--no-tail', '--cursor=s=1;i=2', '--file=/a.journal', '--file=/b.journal']));
    expect(resumed.slice(-3)).toEqual(['SYSLOG_IDENTIFIER=sshd', '+', '_COMM=sshd']);
  });
});
