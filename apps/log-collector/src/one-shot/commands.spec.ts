import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { SshStatsAccumulator } from '@watchkeeper/ssh-stats';
import { SshdParser, SyntheticAuthLog } from '@watchkeeper/sshd-parser';
import { countCommand, parseCommand } from './commands';
import { parseOneShotArgs } from './options';

const SEED = [
  'Mar 29 17:37:18 alpha sshd[12345]: Accepted publickey for ubuntu from 10.0.0.5 port 50022 ssh2: ED25519 SHA256:Yk3m',
  'Mar 29 17:37:18 alpha sshd[12345]: pam_unix(sshd:session): session opened for user ubuntu(uid=1000) by (uid=0)',
  'Mar 29 17:40:02 alpha sshd[12399]: Invalid user admin from 203.0.113.7 port 41234',
  'Mar 29 17:40:04 alpha sshd[12399]: Failed password for invalid user admin from 203.0.113.7 port 41234 ssh2',
  'Mar 29 17:45:11 alpha sshd[12410]: Connection closed by 198.51.100.2 port 55012 [preauth]',
];

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-lc-cli-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  return {
    stream: new Writable({ write: (c, _e, cb) => (parts.push(Buffer.from(c)), cb()) }),
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

async function count(file: string, extra: string[] = []) {
  const out = sink();
  await countCommand(parseOneShotArgs(['count', '--file', file, '--year', '2024', '--tz', 'UTC', '--json', ...extra]), out.stream);
  return JSON.parse(out.text());
}

describe('count', () => {
  it('counts the seed sample, last line without a newline included: 3 sessions', async () => {
    const file = path.join(dir, 'seed.log');
    fs.writeFileSync(file, SEED.join('\n')); // no final newline
    expect(await count(file)).toEqual({
      lines: 5,
      sshd: 5,
      unrecognized: 0,
      days: [{ host: 'alpha', date: '2024-03-29', sessions: 3, accepted: 1, failed: 1, invalidUser: 1, sources: 3 }],
    });
  });

  it('reads .gz files and gives the same figures as the accumulator fed line by line', async () => {
    const lines = new SyntheticAuthLog({ seed: 5, start: Date.parse('2024-05-01T20:00:00Z'), meanGapSeconds: 5 }).lines(30_000);
    lines.push('May  3 01:00:00 alpha sshd[1]: Something unknown');
    const plain = path.join(dir, 'auth.log');
    fs.writeFileSync(plain, lines.join('\n') + '\n');
    fs.writeFileSync(plain + '.2.gz', zlib.gzipSync(fs.readFileSync(plain)));
    const parser = new SshdParser({ defaultHost: 'x', year: 2024, timeZone: 'Europe/Berlin' });
    const acc = new SshStatsAccumulator({ timeZone: 'Europe/Berlin' });
    for (const l of lines) {
      const r = parser.parseLine(l);
      if (r.type === 'event') acc.add(r.event);
    }
    const expected = { lines: lines.length, sshd: parser.counters.sshd, unrecognized: 1, days: acc.days() };
    expect(expected.days.length).toBeGreaterThan(1);
    expect(await count(plain, ['--tz', 'Europe/Berlin'])).toEqual(expected);
    expect(await count(plain + '.2.gz', ['--tz', 'Europe/Berlin'])).toEqual(expected);
  });
});

describe('parse', () => {
  it('prints one JSON event per sshd event line, with ids from host, file identity and offset', async () => {
    const file = path.join(dir, 'seed2.log');
    fs.writeFileSync(file, 'Mar 29 17:00:00 alpha CRON[1]: pam_unix(cron:session): session opened\n' + SEED.join('\n') + '\n');
    const out = sink();
    await parseCommand(parseOneShotArgs(['parse', '--file', file, '--year', '2024', '--tz', 'UTC', '--host', 'alpha']), out.stream);
    const events = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.kind)).toEqual(['accepted', 'session_opened', 'invalid_user', 'failed', 'connection_closed']);
    const st = fs.statSync(file);
    expect(events[0].id).toMatch(new RegExp(`^alpha:${st.dev}:${st.ino}:[0-9a-f]{16}@70$`));
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
  });
});

describe('arguments', () => {
  it('rejects what it cannot use with a clear message', () => {
    expect(() => parseOneShotArgs(['count'])).toThrow(/--file/);
    expect(() => parseOneShotArgs(['count', '--file', 'x', '--year', 'soon'])).toThrow(/--year/);
    expect(() => parseOneShotArgs(['count', '--file', 'x', '--tz', 'Mars/Base'])).toThrow(/time zone/);
    expect(() => parseOneShotArgs(['count', '--file', 'x', '--frobnicate'])).toThrow(/frobnicate/);
    expect(() => parseOneShotArgs(['explode'])).toThrow(/unknown command/);
  });
});
