import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { fingerprintOf, sameInode, type FileIdentity } from './file-identity';
import { GzReader } from './gz-reader';
import { LineSplitter } from './line-splitter';
import { gzFingerprint, listRotated, youngerThan, type RotatedFile } from './rotated-files';

/** Where reading stands in one followed path: the file (identity) and the byte after its last complete line. */
export interface FollowPosition {
  identity: FileIdentity;
  offset: number;
  /**
   * The file's size when this position was taken, when known: should the file be gone later, at
   * least `size - offset` bytes of it were never read (reported as lost).
   */
  size?: number;
}

export interface FollowedLine {
  offset: number;
  text: string;
}

/** Lines read since the last batch, all from one file; `position` is what to checkpoint once they are delivered. */
export interface LineBatch {
  identity: FileIdentity;
  /** The file actually read (a rotated copy is read under the identity of the file it continues). */
  file: string;
  lines: FollowedLine[];
  position: FollowPosition;
  /** Lines read in this batch, including those the prefilter skipped. */
  linesRead: number;
}

export type FollowerNotice =
  | { type: 'opened'; file: string; offset: number }
  | { type: 'rotated'; how: 'rename' | 'deleted' | 'truncated' | 'rewritten'; file: string }
  | { type: 'resumed-from-rotated'; file: string; offset: number }
  /** A younger rotated generation, written while the collector was down, read whole before the current file. */
  | { type: 'reading-rotated'; file: string }
  | { type: 'lost'; file: string; bytes: number; reason: string };

export interface FileFollowerOptions {
  /**
   * How often the file is looked at when nothing woke the follower. Changes in the file's folder
   * (inotify, through fs.watch) wake it at once, so this is only the fallback for file systems
   * without change events; polling is what an idle collector spends its CPU on.
   */
  pollMs?: number;
  /** Wake on change events of the file's folder (default true); polling alone when false or unsupported. */
  watch?: boolean;
  maxBatchBytes?: number;
  maxLineBytes?: number;
  /** Lines without these bytes are counted, not returned (e.g. "sshd"). */
  needle?: string;
  /** How long a renamed or deleted file is still read after it stopped growing (default 1000 ms). */
  drainGraceMs?: number;
  onNotice?: (n: FollowerNotice) => void;
}

interface OpenFile {
  fh: FileHandle;
  name: string;
  identity: FileIdentity;
  /** Next byte to read (past a held partial line). */
  readPos: number;
  /** Size at the last look. */
  seenSize?: number;
  splitter: LineSplitter;
  pending: FollowedLine[];
  /** No longer at the followed path (renamed away, deleted, or a rotated copy): read to its end, then move on. */
  draining: boolean;
  /** When draining began: a renamed file is still written until its writer reopens (logrotate's postrotate HUP). */
  drainingSince: number;
}

/**
 * Follows one log path from a checkpoint, reading the file itself (no `tail` package: see the app's
 * README). Survives logrotate's rename+create and copytruncate, truncation with regrowth, a missing or
 * recreated file, partial last lines (held until their newline), very long lines and non-UTF-8 bytes.
 * Pull-based: nothing is read until the caller asks for the next batch, so a stalled consumer stalls
 * reading and memory stays at one batch.
 */
export class FileFollower {
  private current: OpenFile | undefined;
  /** A compressed rotated file being read (before `current`). */
  private gz: GzReader | undefined;
  /** Rotated generations still to read, oldest first, after the file being read and before the path. */
  private backlog: RotatedFile[] = [];
  private readonly pollMs: number;
  private readonly maxBatch: number;
  private stopped = false;
  private readBuf: Buffer | undefined;
  private wake: (() => void) | undefined;
  private watcher: fs.FSWatcher | undefined;
  private watchTried = false;
  /** A change event came while the follower was reading: the next sleep returns at once. */
  private changed = false;

  constructor(
    readonly path: string,
    private resumeFrom: FollowPosition | undefined,
    private readonly opts: FileFollowerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 250;
    this.maxBatch = opts.maxBatchBytes ?? 1 << 20;
  }

  /** Bytes in the file past what has been read (for a "behind EOF" gauge). */
  async bytesBehind(): Promise<number> {
    const c = this.current;
    if (!c) return 0;
    try {
      return Math.max(0, (await c.fh.stat()).size - c.splitter.committedOffset);
    } catch {
      return 0;
    }
  }

  /** Resolves with lines as soon as there are some (or the checkpoint can move); undefined after stop(). */
  async next(): Promise<LineBatch | undefined> {
    while (!this.stopped) {
      if (this.resumeFrom) await this.resume(this.resumeFrom);
      if (this.gz) {
        const batch = await this.readGz(this.gz);
        if (batch) return batch;
        continue;
      }
      const c = await this.ensureOpen();
      if (!c) {
        await this.sleep();
        continue;
      }
      const before = c.splitter.committedOffset;
      const linesBefore = c.splitter.lines;
      const eof = await this.readSome(c);
      if (c.pending.length > 0 || c.splitter.committedOffset !== before) return this.takeBatch(c, c.splitter.lines - linesBefore);
      if (eof && (await this.checkRotation(c))) continue;
      // A draining file ends by time, not by an event: look again when its grace is over.
      if (eof) await this.sleep(c.draining ? Math.max(1, c.drainingSince + (this.opts.drainGraceMs ?? 1000) - Date.now()) : undefined);
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    this.wake?.();
    await this.current?.fh.close().catch(() => undefined);
    this.current = undefined;
    this.gz?.close();
    this.gz = undefined;
  }

  private takeBatch(c: Pick<OpenFile, 'pending' | 'identity' | 'name' | 'splitter' | 'seenSize'>, linesRead: number): LineBatch {
    const lines = c.pending;
    c.pending = [];
    const offset = c.splitter.committedOffset;
    const position: FollowPosition = { identity: c.identity, offset };
    if (c.seenSize !== undefined && c.seenSize >= offset) position.size = c.seenSize;
    return { identity: c.identity, file: c.name, lines, linesRead, position };
  }

  /** Reads up to one batch of bytes; true when it reached the end of the file. */
  private async readSome(c: OpenFile): Promise<boolean> {
    const size = (await c.fh.stat()).size;
    c.seenSize = size;
    if (size <= c.readPos) return true;
    if (!c.identity.fingerprint) {
      c.identity = { ...c.identity, fingerprint: await fingerprintOf(c.fh) };
      // No complete first line yet: nothing can be read under a stable identity.
      if (!c.identity.fingerprint) return true;
    } else if (!c.draining && (await fingerprintOf(c.fh)) !== c.identity.fingerprint) {
      // Truncated and rewritten since the last read (copytruncate): what follows readPos is not ours.
      return true;
    }
    const want = Math.min(this.maxBatch, size - c.readPos);
    // One buffer for every read: the splitter decodes the lines and copies what it keeps before the
    // next read (a fresh buffer per batch is memory waiting for garbage collection).
    const buf = (this.readBuf ??= Buffer.allocUnsafe(this.maxBatch));
    const { bytesRead } = await c.fh.read(buf, 0, want, c.readPos);
    if (bytesRead === 0) return true;
    c.splitter.push(buf.subarray(0, bytesRead));
    c.readPos += bytesRead;
    return false;
  }

  private newOpenFile(fh: FileHandle, name: string, identity: FileIdentity, offset: number, draining: boolean): OpenFile {
    const file: OpenFile = { fh, name, identity, readPos: offset, splitter: undefined as unknown as LineSplitter, pending: [], draining, drainingSince: Date.now() };
    file.splitter = new LineSplitter(
      (buf, start, end, off) => file.pending.push({ offset: off, text: buf.toString('utf8', start, end) }),
      this.splitterOptions(),
      offset,
    );
    return file;
  }

  private async ensureOpen(): Promise<OpenFile | undefined> {
    return (this.current ??= await this.openPath(0));
  }

  /**
   * Finds the checkpointed file: still at the path, or renamed (same inode, e.g. auth.log.1), or
   * copied away by copytruncate (same first line, at least as long as the checkpoint offset), or
   * compressed (auth.log.1.gz: same first line once decompressed). A rotated one is read to its end,
   * then the younger generations rotated while the collector was down, then the path.
   */
  private async resume(cp: FollowPosition): Promise<void> {
    this.resumeFrom = undefined;
    const atPath = await this.tryOpen(this.path);
    if (atPath) {
      if (sameInode(cp.identity, atPath.st) && (await this.continues(atPath.fh, cp))) {
        this.current = this.newOpenFile(atPath.fh, this.path, cp.identity, cp.offset, false);
        this.notice({ type: 'opened', file: this.path, offset: cp.offset });
        return;
      }
      await atPath.fh.close();
    }
    const rotated = await listRotated(this.path);
    const atPathId = atPath ? { dev: atPath.st.dev, ino: atPath.st.ino } : undefined;
    const plain = await this.findRotated(cp);
    if (plain) {
      this.current = plain;
      const ref = rotated.find((r) => r.file === plain.name);
      this.backlog = ref ? youngerThan(rotated, ref, atPathId) : [];
      this.notice({ type: 'resumed-from-rotated', file: plain.name, offset: cp.offset });
      return;
    }
    for (const r of rotated.filter((f) => f.gz)) {
      if (!cp.identity.fingerprint || (await gzFingerprint(r.file)) !== cp.identity.fingerprint) continue;
      this.gz = new GzReader(r.file, cp.identity, cp.offset, this.splitterOptions());
      this.backlog = youngerThan(rotated, r, atPathId);
      this.notice({ type: 'resumed-from-rotated', file: r.file, offset: cp.offset });
      return;
    }
    const unread = cp.size !== undefined ? cp.size - cp.offset : undefined;
    const what = unread !== undefined ? `at least ${unread} unread bytes (its size at the checkpoint; later writes unknown)` : 'its unread rest (size unknown)';
    this.notice({ type: 'lost', file: this.path, bytes: unread ?? -1, reason: `checkpointed file ${fmt(cp.identity)} not found: ${what} gone; starting ${this.path} from the beginning` });
  }

  /** One batch of a compressed rotated file; at its end, on to the next generation. */
  private async readGz(g: GzReader): Promise<LineBatch | undefined> {
    const before = g.splitter.committedOffset;
    const linesBefore = g.splitter.lines;
    let end: boolean;
    try {
      end = await g.readSome(this.maxBatch);
    } catch (err) {
      end = true;
      this.notice({ type: 'lost', file: g.name, bytes: -1, reason: `compressed file unreadable past offset ${g.splitter.committedOffset}: ${(err as Error).message}` });
    }
    if (end) {
      g.close();
      this.gz = undefined;
      await this.openNextGeneration();
    }
    if (g.pending.length > 0 || g.splitter.committedOffset !== before) return this.takeBatch(g, g.splitter.lines - linesBefore);
    return undefined;
  }

  /** After a rotated file: the next younger generation from the backlog, else the followed path. */
  private async openNextGeneration(): Promise<void> {
    while (this.backlog.length > 0) {
      const f = this.backlog.shift()!;
      if (f.gz) {
        const fingerprint = await gzFingerprint(f.file);
        if (!fingerprint) continue; // empty or unreadable: nothing to read
        this.gz = new GzReader(f.file, { dev: f.dev, ino: f.ino, fingerprint }, 0, this.splitterOptions());
      } else {
        const o = await this.tryOpen(f.file);
        if (!o) continue;
        this.current = this.newOpenFile(o.fh, f.file, { dev: o.st.dev, ino: o.st.ino, fingerprint: await fingerprintOf(o.fh) }, 0, true);
      }
      this.notice({ type: 'reading-rotated', file: f.file });
      return;
    }
    this.current = await this.openPath(0);
  }

  private splitterOptions() {
    return { needle: this.opts.needle, maxLineBytes: this.opts.maxLineBytes ?? 64 * 1024 };
  }

  /** Opens the followed path from `offset`; undefined while it does not exist. */
  private async openPath(offset: number): Promise<OpenFile | undefined> {
    let fh: FileHandle;
    try {
      fh = await fs.promises.open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const st = await fh.stat();
    const identity: FileIdentity = { dev: st.dev, ino: st.ino, fingerprint: await fingerprintOf(fh) };
    this.notice({ type: 'opened', file: this.path, offset });
    return this.newOpenFile(fh, this.path, identity, offset, false);
  }

  /** Same first line as the checkpoint and not shorter than its offset. */
  private async continues(fh: FileHandle, cp: FollowPosition): Promise<boolean> {
    const st = await fh.stat();
    if (st.size < cp.offset) return false;
    if (cp.offset === 0 && !cp.identity.fingerprint) return true;
    return (await fingerprintOf(fh)) === cp.identity.fingerprint;
  }

  /**
   * A rotated sibling (auth.log.1, auth.log-20240301, …) holding the rest of the checkpointed bytes.
   * Only rotation names: a backup or scratch copy beside the log (auth.log.bak) starts with the same
   * line, but what follows the checkpoint in it is not the log's, and its lines would come again under
   * other ids once the real file is read.
   */
  private async findRotated(cp: FollowPosition): Promise<OpenFile | undefined> {
    // Same inode first (renamed), then a copy with the same first line (copytruncate).
    const candidates: Array<{ name: string; fh: FileHandle; sameIno: boolean }> = [];
    for (const r of await listRotated(this.path)) {
      if (r.gz) continue;
      const o = await this.tryOpen(r.file);
      if (!o) continue;
      if (o.st.isFile() && (await this.continues(o.fh, cp))) candidates.push({ name: o.name, fh: o.fh, sameIno: sameInode(cp.identity, o.st) });
      else await o.fh.close();
    }
    candidates.sort((a, b) => Number(b.sameIno) - Number(a.sameIno));
    const [best, ...rest] = candidates;
    for (const r of rest) await r.fh.close();
    if (!best) return undefined;
    return this.newOpenFile(best.fh, best.name, cp.identity, cp.offset, true);
  }

  private async tryOpen(name: string): Promise<{ fh: FileHandle; st: fs.Stats; name: string } | undefined> {
    try {
      const fh = await fs.promises.open(name, 'r');
      return { fh, st: await fh.stat(), name };
    } catch {
      return undefined;
    }
  }

  /**
   * At the end of the current file: has the path moved on? Returns true when reading switched to
   * another file (the caller reads again at once).
   */
  private async checkRotation(c: OpenFile): Promise<boolean> {
    if (c.draining) {
      if (Date.now() - c.drainingSince < (this.opts.drainGraceMs ?? 1000)) return false;
      await this.finish(c);
      return true;
    }
    const st = await c.fh.stat();
    const committed = c.splitter.committedOffset;
    // Same inode, but shorter than what we read, or a different first line: truncated (and maybe regrown).
    const fp = c.identity.fingerprint ? await fingerprintOf(c.fh) : undefined;
    const truncated = st.size < c.readPos;
    const rewritten = !truncated && c.identity.fingerprint !== undefined && fp !== c.identity.fingerprint;
    if (truncated || rewritten) {
      this.notice({ type: 'rotated', how: truncated ? 'truncated' : 'rewritten', file: c.name });
      const cp = { identity: c.identity, offset: committed };
      const copy = await this.findRotated(cp); // copytruncate: the lines we had not read are in the copy
      if (!copy && c.readPos > committed) this.notice({ type: 'lost', file: c.name, bytes: c.readPos - committed, reason: 'truncated with a partial line unread and no copy found' });
      await c.fh.close();
      this.current = copy ?? (await this.openPath(0));
      if (copy) this.notice({ type: 'resumed-from-rotated', file: copy.name, offset: committed });
      return true;
    }
    let atPath: fs.Stats | undefined;
    try {
      atPath = await fs.promises.stat(this.path);
    } catch {
      atPath = undefined;
    }
    if (atPath && sameInode(c.identity, atPath)) return false;
    // Renamed away or deleted: what we hold open is complete once read to its end (we are at its end now).
    this.notice({ type: 'rotated', how: atPath ? 'rename' : 'deleted', file: c.name });
    c.draining = true;
    c.drainingSince = Date.now();
    return true;
  }

  /** A drained file is done: emit its unterminated last line (if any) and move to the path. */
  private async finish(c: OpenFile): Promise<void> {
    c.splitter.end();
    if (c.pending.length > 0) return; // next() returns these first; we come back here at EOF again
    await c.fh.close();
    this.current = undefined;
    await this.openNextGeneration();
  }

  private notice(n: FollowerNotice): void {
    this.opts.onNotice?.(n);
  }

  /** Watches the file's folder once (rename, create, truncate and growth all show there). */
  private watchFolder(): void {
    if (this.watchTried || this.opts.watch === false) return;
    this.watchTried = true;
    try {
      this.watcher = fs.watch(path.dirname(this.path), { persistent: false }, () => {
        if (this.wake) this.wake();
        else this.changed = true;
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // polling goes on
      });
    } catch {
      this.watcher = undefined; // no folder yet, or no inotify: polling alone
      this.watchTried = false;
    }
  }

  private sleep(maxMs = this.pollMs): Promise<void> {
    this.watchFolder();
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
      const t = setTimeout(done, Math.min(maxMs, this.pollMs));
      this.wake = done;
    });
  }

}

function fmt(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fingerprint ?? '-'}`;
}
