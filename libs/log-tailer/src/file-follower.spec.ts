import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FileFollower, type FollowerNotice, type FollowPosition, type LineBatch } from './file-follower';
import { fileIdText } from './file-identity';

let dir: string;
let file: string;
let seq = 0;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-follow-'));
  file = path.join(dir, 'auth.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const line = () => `Mar 29 17:37:18 alpha sshd[${++seq}]: line ${seq} ${'x'.repeat(seq % 50)}`;
function write(n: number, target = file): string[] {
  const ls = Array.from({ length: n }, line);
  fs.appendFileSync(target, ls.map((l) => l + '\n').join(''));
  return ls;
}

const outstanding = new Map<FileFollower, Promise<LineBatch | undefined>>();

/** Reads batches until `want` lines arrived (or times out); returns lines and the last position. */
async function collect(f: FileFollower, want: number, got: string[] = [], ids = new Set<string>()): Promise<{ lines: string[]; position?: FollowPosition }> {
  let position: FollowPosition | undefined;
  const deadline = Date.now() + 5000;
  while (got.length < want && Date.now() < deadline) {
    // One next() at a time: a batch handed to an abandoned call would be lost.
    outstanding.set(f, outstanding.get(f) ?? f.next());
    let timer: NodeJS.Timeout | undefined;
    const b = (await Promise.race([outstanding.get(f), new Promise<'wait'>((r) => (timer = setTimeout(() => r('wait'), 300)))])) as LineBatch | undefined | 'wait';
    clearTimeout(timer);
    if (b === 'wait') continue;
    outstanding.delete(f);
    if (!b) break;
    for (const l of b.lines) {
      const id = `${fileIdText(b.identity)}@${l.offset}`;
      if (ids.has(id)) throw new Error(`duplicate line id ${id}`);
      ids.add(id);
      got.push(l.text);
    }
    position = b.position;
  }
  return { lines: got, position };
}

function follower(position?: FollowPosition, notices: FollowerNotice[] = []) {
  return new FileFollower(file, position, { pollMs: 20, onNotice: (n) => notices.push(n) });
}

describe('FileFollower', () => {
  it('is woken by change events, not by its poll: appends and a rotation are read with a one-minute poll', async () => {
    const f = new FileFollower(file, undefined, { pollMs: 60_000 });
    const a = write(2);
    expect((await collect(f, 2)).lines).toEqual(a);
    const b = write(3);
    expect((await collect(f, 3)).lines).toEqual(b); // collect gives up after 5 s: far below the poll
    fs.renameSync(file, `${file}.1`);
    const c = write(2);
    expect((await collect(f, 2)).lines).toEqual(c);
    await f.stop();
  });

  it('still reads by polling when change events are off', async () => {
    const f = new FileFollower(file, undefined, { pollMs: 50, watch: false });
    const a = write(3);
    expect((await collect(f, 3)).lines).toEqual(a);
    await f.stop();
  });

  it('reads appended lines, holding a partial last line until its newline', async () => {
    const f = follower();
    const a = write(3);
    fs.appendFileSync(file, 'Mar 29 17:37:19 alpha sshd[9]: half');
    expect((await collect(f, 3)).lines).toEqual(a);
    fs.appendFileSync(file, ' done\n');
    expect((await collect(f, 1)).lines).toEqual(['Mar 29 17:37:19 alpha sshd[9]: half done']);
    await f.stop();
  });

  it('waits for a file missing at start, and follows it when deleted and recreated', async () => {
    const notices: FollowerNotice[] = [];
    const f = follower(undefined, notices);
    const got: string[] = [];
    const p = collect(f, 8, got);
    await new Promise((r) => setTimeout(r, 100));
    const a = write(4);
    await new Promise((r) => setTimeout(r, 200));
    fs.unlinkSync(file);
    await new Promise((r) => setTimeout(r, 100));
    const b = write(4);
    expect((await p).lines).toEqual([...a, ...b]);
    expect(notices.some((n) => n.type === 'rotated' && n.how === 'deleted')).toBe(true);
    await f.stop();
  });

  it('loses nothing on logrotate rename+create, even with lines appended to the old file after the rename', async () => {
    const f = follower();
    const a = write(50);
    const got: string[] = [];
    await collect(f, 20, got);
    fs.renameSync(file, file + '.1');
    const b = write(10, file + '.1'); // the daemon had not reopened yet
    const c = write(30);
    expect((await collect(f, 90, got)).lines).toEqual([...a, ...b, ...c]);
    await f.stop();
  });

  it('loses nothing on copytruncate: the unread rest comes from the copy', async () => {
    const f = follower();
    const a = write(40);
    const got: string[] = [];
    await collect(f, 10, got); // not at the end yet when the rotation happens
    const b = write(10);
    fs.copyFileSync(file, file + '.1');
    fs.truncateSync(file, 0);
    const c = write(25);
    expect((await collect(f, 75, got)).lines).toEqual([...a, ...b, ...c]);
    await f.stop();
  });

  it('notices a truncation followed by regrowth past the old offset', async () => {
    const notices: FollowerNotice[] = [];
    const f = follower(undefined, notices);
    const a = write(5);
    const got: string[] = [];
    await collect(f, 5, got);
    fs.truncateSync(file, 0);
    const b = write(30); // longer than before: size alone would not show it
    expect((await collect(f, 35, got)).lines).toEqual([...a, ...b]);
    expect(notices.some((n) => n.type === 'rotated' && (n.how === 'rewritten' || n.how === 'truncated'))).toBe(true);
    await f.stop();
  });

  it('resumes exactly at a checkpoint, also after a rename or copytruncate that happened while stopped', async () => {
    for (const rotation of ['none', 'rename', 'copytruncate'] as const) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir);
      const a = write(30);
      const first = follower();
      const { position } = await collect(first, 30);
      await first.stop();
      const b = write(7);
      if (rotation === 'rename') fs.renameSync(file, file + '.1');
      if (rotation === 'copytruncate') {
        fs.copyFileSync(file, file + '.1');
        fs.truncateSync(file, 0);
      }
      const c = write(5);
      const notices: FollowerNotice[] = [];
      const second = follower(position, notices);
      expect((await collect(second, 12)).lines).toEqual(rotation === 'none' ? [...b, ...c] : [...b, ...c]);
      if (rotation !== 'none') expect(notices.some((n) => n.type === 'resumed-from-rotated')).toBe(true);
      await second.stop();
      expect(a).toHaveLength(30);
    }
  });

  it('resumes from a rotated file that was compressed while stopped, then reads the younger generations and the path', async () => {
    const gzip = (from: string, to: string) => {
      fs.writeFileSync(to, zlib.gzipSync(fs.readFileSync(from)));
      fs.unlinkSync(from);
    };
    for (const scenario of ['compressed', 'two rotations, delaycompress', 'two rotations, compressed at once'] as const) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir);
      write(20);
      const first = follower();
      const { position } = await collect(first, 20);
      await first.stop();
      const unread = write(7); // unread rest of the checkpointed file
      fs.renameSync(file, file + '.1');
      const expected = [...unread];
      if (scenario === 'compressed') {
        gzip(file + '.1', file + '.1.gz');
      } else {
        expected.push(...write(9)); // a whole generation written and rotated while stopped
        if (scenario === 'two rotations, delaycompress') {
          gzip(file + '.1', file + '.2.gz'); // logrotate: .1 → .2 (compressed now), auth.log → .1
          fs.renameSync(file, file + '.1');
        } else {
          gzip(file + '.1', file + '.2.gz');
          fs.renameSync(file, file + '.1');
          gzip(file + '.1', file + '.1.gz');
        }
      }
      expected.push(...write(5)); // the current file
      const notices: FollowerNotice[] = [];
      const second = follower(position, notices);
      expect((await collect(second, expected.length)).lines).toEqual(expected);
      expect(notices.some((n) => n.type === 'resumed-from-rotated' && n.file.endsWith('.gz'))).toBe(true);
      expect(notices.filter((n) => n.type === 'reading-rotated')).toHaveLength(scenario === 'compressed' ? 0 : 1);
      expect(notices.some((n) => n.type === 'lost')).toBe(false);
      await second.stop();
    }
  });

  it('resumes inside a compressed file at the checkpointed offset, with the same line offsets', async () => {
    write(10);
    const first = follower();
    const { position } = await collect(first, 10);
    await first.stop();
    const rest = write(6);
    fs.writeFileSync(file + '.1.gz', zlib.gzipSync(fs.readFileSync(file)));
    fs.unlinkSync(file);
    const second = follower(position);
    const got: string[] = [];
    const ids = new Set<string>();
    await collect(second, 6, got, ids);
    expect(got).toEqual(rest);
    // Offsets continue the checkpoint's under the checkpointed identity: ids match a live read's.
    expect([...ids][0]).toBe(`${fileIdText(position!.identity)}@${position!.offset}`);
    await second.stop();
  });

  it('takes the rest of a checkpointed file from its rotated copy only, never from a backup with the same first line', async () => {
    write(10);
    const first = follower();
    const { position } = await collect(first, 10);
    await first.stop();
    const rest = write(6);
    // A backup beside the log (same first line, longer than the checkpoint, and grown since), then
    // the log rotated and compressed while stopped.
    fs.copyFileSync(file, file + '.bak');
    write(3, file + '.bak');
    fs.writeFileSync(file + '.1.gz', zlib.gzipSync(fs.readFileSync(file)));
    fs.unlinkSync(file);
    const current = write(4);
    const notices: FollowerNotice[] = [];
    const second = follower(position, notices);
    expect((await collect(second, 10)).lines).toEqual([...rest, ...current]);
    expect(notices.filter((n) => n.type === 'resumed-from-rotated').map((n) => path.basename((n as { file: string }).file))).toEqual(['auth.log.1.gz']);
    await second.stop();
  });

  it('reports the checkpointed file as lost (never silently) when it is gone', async () => {
    write(10);
    const first = follower();
    const { position } = await collect(first, 10);
    await first.stop();
    write(3);
    fs.unlinkSync(file);
    const c = write(4);
    const notices: FollowerNotice[] = [];
    // As if 500 bytes had been there unread when the checkpoint was taken.
    const second = follower({ ...position!, size: position!.offset + 500 }, notices);
    expect((await collect(second, 4)).lines).toEqual(c);
    expect(notices.filter((n) => n.type === 'lost')).toEqual([expect.objectContaining({ bytes: 500 })]);
    expect(position!.size).toBe(position!.offset); // read to the end: nothing was unread
    await second.stop();
  });

  it('keeps very long lines and non-UTF-8 bytes as single lines with exact offsets', async () => {
    const f = new FileFollower(file, undefined, { pollMs: 20, maxLineBytes: 1000, maxBatchBytes: 4096 });
    const long = 'Mar 29 17:37:18 alpha sshd[1]: ' + 'y'.repeat(100_000);
    fs.writeFileSync(file, Buffer.concat([Buffer.from('first\n' + long + '\n'), Buffer.from([0x66, 0xff, 0x0a]), Buffer.from('last\n')]));
    const got: string[] = [];
    const ids = new Set<string>();
    await collect(f, 4, got, ids);
    expect(got[0]).toBe('first');
    expect(got[1]).toHaveLength(1000);
    expect(got[2]).toBe('f\uFFFD');
    expect(got[3]).toBe('last');
    expect([...ids].map((i) => Number(i.split('@')[1]))).toEqual([0, 6, 6 + long.length + 1, 6 + long.length + 4]);
    await f.stop();
  });
});
