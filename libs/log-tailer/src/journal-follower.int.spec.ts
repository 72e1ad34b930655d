/**
 * JournalFollower against the real journalctl reading real journal files, written from the journal
 * export format by Debian's systemd-journal-remote (installed by tools/install-journal-remote.sh).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalFollower, type JournalEntry } from './journal-follower';

const JOURNAL_REMOTE = '/usr/lib/systemd/systemd-journal-remote';
let dir: string;
let monotonic = 1;

beforeAll(() => {
  if (!fs.existsSync(JOURNAL_REMOTE)) execFileSync('bash', [path.resolve(__dirname, '../../../tools/install-journal-remote.sh')], { stdio: 'inherit' });
});
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-journal-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Appends entries `from`..`to`-1: sshd ones, with a cron entry after every tenth (filtered out by journalctl). */
function writeEntries(from: number, to: number, file = 'system.journal'): void {
  let out = '';
  const entry = (id: string, pid: number, msg: string) =>
    `__REALTIME_TIMESTAMP=${1_711_733_838_000_000 + monotonic * 1000}\n__MONOTONIC_TIMESTAMP=${monotonic++}\n_BOOT_ID=5e1f0c0ffee0000000000000000000b0\n_HOSTNAME=alpha\nSYSLOG_IDENTIFIER=${id}\n_PID=${pid}\nMESSAGE=${msg}\n\n`;
  for (let i = from; i < to; i++) {
    out += entry(i % 3 === 0 ? 'sshd-session' : 'sshd', 1000 + i, `Failed password for root from 10.0.0.1 port ${i} ssh2`);
    if (i % 10 === 0) out += entry('CRON', 1, 'pam_unix(cron:session): session opened for user root');
  }
  execFileSync(JOURNAL_REMOTE, ['-o', path.join(dir, file), '-'], { input: out, stdio: ['pipe', 'ignore', 'ignore'] });
}

async function take(f: JournalFollower, n: number, got: JournalEntry[] = []): Promise<JournalEntry[]> {
  const deadline = Date.now() + 10_000;
  while (got.length < n && Date.now() < deadline) got.push(...(await f.next())!.entries);
  return got;
}

const ports = (es: JournalEntry[]) => es.map((e) => Number(/port (\d+)/.exec(e.message)![1]));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

it('reads every sshd entry once, in order, follows appends, and resumes right after a cursor (not only the last 10)', async () => {
  writeEntries(0, 3000);
  const f = new JournalFollower(undefined, { directory: dir, maxBatchEntries: 500 });
  const got = await take(f, 3000);
  writeEntries(3000, 3500); // appended while it follows
  await take(f, 3500, got);
  await f.stop();
  expect(ports(got)).toEqual(range(0, 3500));
  expect(new Set(got.map((e) => e.cursor)).size).toBe(3500);
  expect(got[3].identifier).toBe('sshd-session');

  writeEntries(3500, 4000); // written while nobody follows
  const resumed = new JournalFollower(got[1999].cursor, { directory: dir });
  const rest = await take(resumed, 2000);
  await resumed.stop();
  expect(ports(rest)).toEqual(range(2000, 4000));
  expect(rest[0].cursor).not.toBe(got[1999].cursor);
});

it('after a vacuum removed the saved entry: resumes with the first entry still there (none skipped) and reports the gap', async () => {
  writeEntries(0, 100, 'old.journal');
  writeEntries(100, 200, 'new.journal');
  const f = new JournalFollower(undefined, { directory: dir });
  const got = await take(f, 200);
  await f.stop();
  expect(ports(got)).toEqual(range(0, 200));
  // Checkpointed at entry 49, then the file holding it is vacuumed while nobody reads.
  fs.rmSync(path.join(dir, 'old.journal'));
  const resumed = new JournalFollower(got[49].cursor, { directory: dir });
  const rest = await take(resumed, 100);
  await resumed.stop();
  expect(ports(rest)).toEqual(range(100, 200));
  const gap = resumed.takeGap();
  expect(gap).toMatchObject({ savedCursor: got[49].cursor, resumedAt: got[100].cursor, fromRealtimeUs: String(BigInt(got[49].realtimeUs)), toRealtimeUs: got[100].realtimeUs });
  expect(resumed.takeGap()).toBeUndefined();

  // The saved entry still there: no gap, and it is not delivered again.
  const again = new JournalFollower(got[149].cursor, { directory: dir });
  expect(ports(await take(again, 50))).toEqual(range(150, 200));
  await again.stop();
  expect(again.takeGap()).toBeUndefined();
});

it('pauses journalctl while the caller does not take entries (memory stays bounded)', async () => {
  writeEntries(0, 20_000);
  const f = new JournalFollower(undefined, { directory: dir, maxBatchEntries: 100, maxQueuedEntries: 300 });
  const first = await f.next();
  await new Promise((r) => setTimeout(r, 1500)); // journalctl could print all 20,000 in this time
  // At most the bound plus what one read of the pipe held when the bound was crossed.
  expect(f.queued).toBeLessThan(300 + 1000);
  const all = await take(f, 20_000, [...first!.entries]);
  await f.stop();
  expect(ports(all)).toEqual(range(0, 20_000));
});

it('fails from next() when journalctl cannot read the journal, with its message', async () => {
  const f = new JournalFollower(undefined, { directory: path.join(dir, 'missing') });
  await expect(f.next()).rejects.toThrow(/journalctl exited \(1\)/);
  await f.stop();
});
