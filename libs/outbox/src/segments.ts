import { randomBytes } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import { outboxModel, type OutboxEntry } from '@watchkeeper/dal/shared';

/** An owner not seen for this long is gone: the relay of another instance takes over its segments' entries. */
export const OWNER_STALE_MS = 60_000;

/**
 * Two collections one process writes its outbox entries to, in turns, so that published entries are
 * cleared by dropping a whole collection instead of deleting them: FerretDB/SQLite scans the whole
 * collection for every delete (time growing with what is stored); a drop costs the same at any size.
 *
 * Writes go to `current`; once the other segment is clean the writes move there, and the old one is
 * dropped as soon as every entry written to it is retired (published and folded). Segments are named
 * after this process (a random id), so no other instance ever writes to them; a crashed instance's
 * segments are found by their name and drained by another relay's scan (entry by entry).
 */
export class OutboxSegments {
  readonly instanceId = randomBytes(6).toString('hex');
  readonly models: [Model<OutboxEntry>, Model<OutboxEntry>];
  private current_ = 0;
  /** Ids written to each segment and not yet retired. */
  private readonly live = [new Set<string>(), new Set<string>()];
  /** A segment may hold entries (written since its last drop). */
  private readonly dirty = [false, false];
  /** When each segment got its first entry since its last drop. */
  private readonly since = [0, 0];
  /** Published entries of each segment, handed to the before-delete hooks once, just before the drop. */
  private readonly done: [OutboxEntry[], OutboxEntry[]] = [[], []];
  /** False after a failed write (it may have landed unseen): no drops until a complete scan. */
  verified = true;

  /** @param rotateMs how long writes go to one segment at least: the hooks run once per segment, not per batch. */
  constructor(conn: Connection, readonly base: string, private readonly rotateMs = 2000) {
    this.models = [outboxModel(conn, `${this.prefix}${this.instanceId}_0`), outboxModel(conn, `${this.prefix}${this.instanceId}_1`)];
  }

  get prefix(): string {
    return `${this.base}_seg_`;
  }

  /** The segment entries written now go to; their ids stay live until retired. */
  reserve(ids: string[]): number {
    const s = this.current_;
    for (const id of ids) this.live[s].add(id);
    if (!this.dirty[s]) this.since[s] = Date.now();
    this.dirty[s] = true;
    return s;
  }

  /** A write failed: its ids are not waited for, and drops wait for the next complete scan. */
  failed(segment: number, ids: string[]): void {
    for (const id of ids) this.live[segment].delete(id);
    this.verified = false;
  }

  /** Entries published: no longer waited for; kept for the hooks that run before their segment is dropped. */
  retired(entries: OutboxEntry[]): void {
    for (const e of entries) {
      if (this.live[0].delete(e._id)) this.done[0].push(e);
      else if (this.live[1].delete(e._id)) this.done[1].push(e);
    }
  }

  /** The published entries of a segment about to be dropped. */
  published(segment: number): OutboxEntry[] {
    return this.done[segment];
  }

  /** Milliseconds until the current segment may be rotated (0: now; Infinity: nothing written). */
  rotateInMs(): number {
    // Unverified: nothing is rotated or dropped until a complete scan (which the relay does next).
    if (!this.verified || !this.dirty[this.current_]) return Infinity;
    return Math.max(0, this.since[this.current_] + this.rotateMs - Date.now());
  }

  /** Moves writes to a clean segment when one is due (or `force`); returns the segments that may be dropped now. */
  recyclable(force = false): number[] {
    if (!this.verified) return [];
    const other = 1 - this.current_;
    if (!this.dirty[other] && this.dirty[this.current_] && (force || this.rotateInMs() === 0)) this.current_ = other;
    return [0, 1].filter((s) => s !== this.current_ && this.dirty[s] && this.live[s].size === 0);
  }

  dropped(segment: number): void {
    this.dirty[segment] = false;
    this.done[segment] = [];
  }

  /** Entries written and not yet retired (what the pending gauge reports). */
  get liveCount(): number {
    return this.live[0].size + this.live[1].size;
  }
}
