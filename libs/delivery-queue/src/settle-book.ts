import type { Logger } from '@watchkeeper/runtime';
import type { OpenSegment } from './queue-store';
import type { QueueItem } from './types';

interface Tracked {
  count: number;
  settled: Set<number>;
  /** Settled since the last write. */
  pending: number[];
  /** Handed to a worker before its segment was written: settles wait in memory until `release`. */
  held?: boolean;
}

/**
 * Which positions of each segment are settled, written back at most every `intervalMs` in one bulk
 * write (a segment done is deleted). A write lost to a crash is recovered at load from the digest
 * log, dead letters and fallback segments, which name the positions they settled.
 */
export class SettleBook {
  private readonly segs = new Map<string, Tracked>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Segments fully settled and deleted: their ids may be forgotten by the caller. */
  onDone: (segIds: string[]) => void = () => undefined;

  constructor(
    private readonly write: (updates: Array<{ seg: string; idx: number[]; complete: boolean }>) => Promise<void>,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  has(seg: string): boolean {
    return this.segs.has(seg);
  }

  /** A segment loaded or written: positions already settled, and those recovered but not yet written. */
  track(s: Pick<OpenSegment, 'id' | 'count' | 'settled' | 'recovered'>, opts: { held?: boolean } = {}): void {
    if (this.segs.has(s.id)) return;
    this.segs.set(s.id, { count: s.count, settled: new Set(s.settled), pending: [...s.recovered], ...(opts.held ? { held: true } : {}) });
    if (s.recovered.length > 0 || s.settled.length >= s.count) this.schedule();
  }

  /** Positions settled so far (a segment about to be written carries them, so nothing is sent twice). */
  settledOf(seg: string): number[] {
    return [...(this.segs.get(seg)?.settled ?? [])];
  }

  /** Held segments are durable now: their settles may be written. */
  release(segIds: string[]): void {
    let any = false;
    for (const id of segIds) {
      const t = this.segs.get(id);
      if (!t?.held) continue;
      delete t.held;
      any = true;
    }
    if (any) this.schedule();
  }

  settle(items: QueueItem[]): void {
    for (const i of items) {
      if (i.segment === undefined || i.index === undefined) continue;
      let t = this.segs.get(i.segment);
      // Not tracked (its partition moved away meanwhile): still recorded, without deleting.
      if (!t) this.segs.set(i.segment, (t = { count: Number.POSITIVE_INFINITY, settled: new Set(), pending: [] }));
      if (t.settled.has(i.index)) continue;
      t.settled.add(i.index);
      t.pending.push(i.index);
    }
    this.schedule();
  }

  /** Stops tracking segments (their partition was revoked) after writing what is pending. */
  async forget(segIds: string[]): Promise<void> {
    await this.flush();
    for (const id of segIds) this.segs.delete(id);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
  }

  /** Writes everything pending now (serialised: one write at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    const updates: Array<{ seg: string; idx: number[]; complete: boolean }> = [];
    for (const [seg, t] of this.segs) {
      if (t.held) continue; // no segment to update yet
      const complete = t.settled.size >= t.count;
      if (t.pending.length === 0 && !complete) continue;
      updates.push({ seg, idx: t.pending, complete });
      t.pending = [];
    }
    if (updates.length === 0) return;
    try {
      await this.write(updates);
      const done = updates.filter((u) => u.complete).map((u) => u.seg);
      for (const id of done) this.segs.delete(id);
      if (done.length > 0) this.onDone(done);
    } catch (err) {
      // Kept for the next write; meanwhile the records that settled them stand in.
      for (const u of updates) this.segs.get(u.seg)?.pending.push(...u.idx);
      this.logger.warn({ err, segments: updates.length }, 'settle write failed; retrying');
      this.schedule();
    }
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
