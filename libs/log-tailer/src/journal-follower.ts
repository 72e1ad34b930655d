import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { journalGap, type JournalGap } from './journal-gap';

/** The fields of a journal entry the sshd reader uses (journalctl prints every value as text). */
export interface JournalEntry {
  cursor: string;
  /** Microseconds since the epoch (`__REALTIME_TIMESTAMP`), as text. */
  realtimeUs: string;
  message: string;
  identifier: string | undefined;
  comm: string | undefined;
  pid: number;
  hostname: string | undefined;
}

/** Entries read since the last batch; `cursor` is what to checkpoint once they are delivered. */
export interface JournalBatch {
  entries: JournalEntry[];
  cursor: string;
}

export interface JournalFollowerOptions {
  /** The journalctl binary (default `journalctl` on PATH). */
  journalctl?: string;
  /** Read journal files from this directory (`--directory`) instead of the system journal. */
  directory?: string;
  /** Read these journal files (`--file`), instead of the system journal. */
  files?: string[];
  /** Entries whose SYSLOG_IDENTIFIER or _COMM is one of these (default sshd, sshd-session, sshd-auth). */
  identifiers?: string[];
  /** Entries per batch (default 2000). */
  maxBatchEntries?: number;
  /** Entries read ahead of the caller before journalctl's output is paused (default 4 batches). */
  maxQueuedEntries?: number;
}

export const SSHD_IDENTIFIERS = ['sshd', 'sshd-session', 'sshd-auth'];
const OUTPUT_FIELDS = ['MESSAGE', 'SYSLOG_IDENTIFIER', '_COMM', '_PID', 'SYSLOG_PID', '_HOSTNAME'];

/**
 * Follows the journal with the real `journalctl -f -o json` from a cursor (the entry after it; all
 * entries when there is none). It starts AT the cursor (`--cursor`) and drops that entry itself:
 * journalctl's `--after-cursor` skips one entry even when the cursor's entry is gone, so after a
 * vacuum it would silently lose the first entry still there. A saved entry that is gone is a gap,
 * reported by takeGap() (entries written after the checkpoint and removed before they were read).
 * Pull-based like FileFollower: journalctl's output is paused while
 * maxQueuedEntries wait for the caller, so a stalled consumer stalls reading (the pipe fills and
 * journalctl blocks) and memory stays bounded. journalctl exiting is an error from next(): the caller
 * starts over from its last checkpointed cursor.
 */
export class JournalFollower {
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private queue: JournalEntry[] = [];
  private carry = '';
  private failure: Error | undefined;
  private stderr = '';
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  /** Output lines that were not a journal entry in JSON (counted, never silently dropped). */
  malformed = 0;
  /** Whether the first entry (the saved cursor's, or the gap after it) is still to be checked. */
  private checkingResume: boolean;
  private gap: JournalGap | undefined;

  /** Entries read from journalctl and not yet handed out (bounded: see maxQueuedEntries). */
  get queued(): number {
    return this.queue.length;
  }

  constructor(
    private readonly resumeAfter: string | undefined,
    private readonly opts: JournalFollowerOptions = {},
  ) {
    this.maxBatch = opts.maxBatchEntries ?? 2000;
    this.maxQueued = opts.maxQueuedEntries ?? this.maxBatch * 4;
    this.checkingResume = resumeAfter !== undefined;
  }

  /** The gap found at the resume point (once; undefined when the saved entry was still there). */
  takeGap(): JournalGap | undefined {
    const g = this.gap;
    this.gap = undefined;
    return g;
  }

  /** journalctl's arguments: follow, JSON, only the fields used, sshd's identifiers OR'ed over two fields. */
  args(): string[] {
    const o = this.opts;
    const a = ['--follow', '--output=json', '--no-pager', '--quiet', `--output-fields=${OUTPUT_FIELDS.join(',')}`];
    if (o.directory) a.push(`--directory=${o.directory}`);
    for (const f of o.files ?? []) a.push(`--file=${f}`);
    // --no-tail in both cases: with --follow, journalctl otherwise prints only the last 10 entries,
    // even of those after the cursor.
    a.push('--no-tail');
    if (this.resumeAfter) a.push(`--cursor=${this.resumeAfter}`);
    const ids = o.identifiers ?? SSHD_IDENTIFIERS;
    // Matches on one field are OR'ed; "+" ORs the two groups (sshd logs under either field).
    a.push(...ids.map((i) => `SYSLOG_IDENTIFIER=${i}`), '+', ...ids.map((i) => `_COMM=${i}`));
    return a;
  }

  /** Resolves with entries as soon as there are some; undefined after stop(). */
  async next(): Promise<JournalBatch | undefined> {
    if (!this.child && !this.stopped) this.spawn();
    while (!this.stopped) {
      if (this.queue.length > 0) {
        const entries = this.queue.splice(0, this.maxBatch);
        if (this.queue.length < this.maxQueued) this.child?.stdout.resume();
        return { entries, cursor: entries[entries.length - 1].cursor };
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('close', () => resolve());
      c.kill('SIGTERM');
    });
  }

  private spawn(): void {
    const child = spawn(this.opts.journalctl ?? 'journalctl', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s: string) => this.onOutput(s));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-2000)));
    child.on('error', (err) => this.fail(err));
    child.on('close', (code, signal) => {
      if (!this.stopped) this.fail(new Error(`journalctl exited (${signal ?? code}): ${this.stderr.trim() || 'no message'}`));
    });
  }

  private onOutput(s: string): void {
    const text = this.carry + s;
    const lines = text.split('\n');
    this.carry = lines.pop()!;
    for (const line of lines) {
      if (line === '') continue;
      const entry = parseEntry(line);
      if (!entry) this.malformed++;
      else if (this.checkingResume) {
        this.checkingResume = false;
        // The saved entry itself was delivered before the checkpoint; anything else first means it is gone.
        if (entry.cursor !== this.resumeAfter) {
          this.gap = journalGap(this.resumeAfter!, entry.cursor, entry.realtimeUs);
          this.queue.push(entry);
        }
      } else this.queue.push(entry);
    }
    if (this.queue.length >= this.maxQueued) this.child?.stdout.pause();
    this.wake?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake?.();
  }
}

/** One line of `journalctl -o json`; undefined when it is not an entry with a cursor and a time. */
export function parseEntry(line: string): JournalEntry | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const cursor = text(o.__CURSOR);
  const realtimeUs = text(o.__REALTIME_TIMESTAMP);
  if (!cursor || !realtimeUs || !/^\d+$/.test(realtimeUs)) return undefined;
  const pid = Number(text(o._PID) ?? text(o.SYSLOG_PID) ?? 0);
  return {
    cursor,
    realtimeUs,
    message: text(o.MESSAGE) ?? '',
    identifier: text(o.SYSLOG_IDENTIFIER),
    comm: text(o._COMM),
    pid: Number.isSafeInteger(pid) && pid >= 0 ? pid : 0,
    hostname: text(o._HOSTNAME),
  };
}

/**
 * A field's text. journalctl prints a value that is not valid UTF-8 as an array of byte values, and a
 * field present more than once as an array of values (the first is used).
 */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0) {
    if (v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
    return text(v[0]);
  }
  return undefined;
}
