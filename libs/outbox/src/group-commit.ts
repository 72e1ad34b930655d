/** An item that waited longer than the queue-time budget: refused, never written. */
export class QueueTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`waited ${Math.round(waitedMs)} ms for the database (over budget); nothing was stored`);
    this.name = 'QueueTimeout';
  }
}

export interface GroupCommitOptions {
  /** Largest batch per flush. */
  maxBatch?: number;
  /**
   * Queue-time budget: an item still queued after this long is refused with QueueTimeout rather than
   * written late (0: no budget). Under overload the database then only sees work someone still waits for.
   */
  maxWaitMs?: number;
  /** Told how many items were just refused for waiting too long (they are counted, never dropped silently). */
  onExpired?: (count: number) => void;
  /**
   * Commit delay under load (ms, 0: none): when the previous flush ended less than 4 × this ago and
   * fewer than `lingerBatch` items wait, the next flush waits until its oldest item is this old, so
   * one database round trip carries more items. A lone item after a quiet spell is flushed at once.
   * An item waits at most this much longer than without it; it counts against the queue-time budget.
   */
  lingerMs?: number;
  /** Queue length from which a flush never lingers (default 64). */
  lingerBatch?: number;
}

/**
 * Group commit: items handed in while a flush is running are written together by the next flush, so
 * under load one database round trip carries many requests, and each caller still learns whether
 * *its* item is durable. With no load an item is flushed at once (no timer, no added latency).
 * One flush at a time: the database never sees a crowd of writes from here.
 */
export class GroupCommit<T> {
  private queue: Array<{ item: T; at: number; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private flushStarted = 0;
  /** Smoothed duration of a flush (ms). */
  private flushMs = 0;
  /** When the last flush ended (performance.now()); -Infinity before the first. */
  private lastFlushEnd = -Infinity;
  private readonly opts: GroupCommitOptions;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    opts: GroupCommitOptions | number = {},
  ) {
    this.opts = typeof opts === 'number' ? { maxBatch: opts } : opts;
  }

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, at: performance.now(), resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  /** Items waiting for a flush (not counting the one running). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * How long an item handed in now would wait before its flush starts, at least: the running flush's
   * time so far (the next batch takes the whole queue), plus whole flushes for queue beyond one batch.
   */
  estimatedWaitMs(): number {
    if (!this.flushing) return 0;
    const extraBatches = Math.floor(this.queue.length / (this.opts.maxBatch ?? 1000));
    return performance.now() - this.flushStarted + extraBatches * this.flushMs;
  }

  /** Resolves when everything handed in so far has been flushed (or failed). */
  async idle(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const wait = this.lingerFor();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait)); // no await otherwise: an idle flush starts in add()
        let batch = this.queue.splice(0, this.opts.maxBatch ?? 1000);
        const budget = this.opts.maxWaitMs ?? 0;
        this.flushStarted = performance.now();
        if (budget > 0) {
          const late = batch.filter((b) => this.flushStarted - b.at > budget);
          if (late.length) {
            for (const b of late) b.reject(new QueueTimeout(this.flushStarted - b.at));
            this.opts.onExpired?.(late.length);
            batch = batch.filter((b) => this.flushStarted - b.at <= budget);
            if (!batch.length) continue;
          }
        }
        try {
          await this.flush(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
        this.lastFlushEnd = performance.now();
        const took = this.lastFlushEnd - this.flushStarted;
        this.flushMs = this.flushMs === 0 ? took : 0.8 * this.flushMs + 0.2 * took;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The commit delay now (see `lingerMs`): only while flushes follow each other, and only for small batches. */
  private lingerFor(): number {
    const ms = this.opts.lingerMs ?? 0;
    if (ms <= 0 || this.queue.length >= (this.opts.lingerBatch ?? 64)) return 0;
    const now = performance.now();
    if (now - this.lastFlushEnd >= 4 * ms) return 0;
    const wait = this.queue[0].at + ms - now;
    if (wait < 1) return 0;
    // The flush counts as started: the shedder's wait estimate includes the delay so far.
    this.flushStarted = now;
    return wait;
  }
}
