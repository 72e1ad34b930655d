import type { Connection, Model } from 'mongoose';
import { requestHostModel, requestMinuteModel, type RequestHostDoc, type RequestMinuteDoc } from '@watchkeeper/dal/receiver';
import { bulkWriteChunked } from '@watchkeeper/mongo';

export interface RequestOutcome {
  host: string;
  at: Date;
  status: number;
  /** An artifact upload, and whether it carried X-Code-Commit. */
  upload?: { stamped: boolean };
}

type Counters = Omit<RequestMinuteDoc, '_id'>;

/**
 * Counts requests per host and minute in memory and adds them to MongoDB every `flushMs` with `$inc`,
 * so recording costs nothing on the request path. A crash loses at most the last unflushed second of
 * counts (monitoring figures, not data); a failed flush keeps the counts for the next one.
 */
export class RequestLog {
  readonly model: Model<RequestMinuteDoc>;
  readonly hosts: Model<RequestHostDoc>;
  private pending = new Map<string, Counters>();
  private timer?: NodeJS.Timeout;
  private started = false;
  private flushing?: Promise<void>;

  constructor(conn: Connection, private readonly opts: { flushMs?: number } = {}) {
    this.model = requestMinuteModel(conn);
    this.hosts = requestHostModel(conn);
  }

  record(o: RequestOutcome): void {
    const minute = new Date(Math.floor(o.at.getTime() / 60_000) * 60_000);
    const id = `${o.host}|${minute.toISOString()}`;
    let c = this.pending.get(id);
    if (!c) {
      c = { host: o.host, minute, requests: 0, clientErrors: 0, uploads: 0, unstampedUploads: 0, lastAt: o.at };
      this.pending.set(id, c);
    }
    c.requests++;
    if (o.status >= 400 && o.status < 500) c.clientErrors++;
    if (o.upload) {
      c.uploads++;
      if (!o.upload.stamped) c.unstampedUploads++;
    }
    if (o.at > c.lastAt) c.lastAt = o.at;
    this.arm();
  }

  /** Flushes `flushMs` after the first count since the last flush: no timer while nothing is counted (an idle receiver). */
  start(): void {
    this.started = true;
    if (this.pending.size > 0) this.arm();
  }

  /** Whether a flush is scheduled. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  private arm(): void {
    if (!this.started || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed flush keeps its counts in pending (flush puts them back): try again a period later.
      void this.flush()
        .catch(() => undefined)
        .finally(() => {
          if (this.pending.size > 0) this.arm();
        });
    }, this.opts.flushMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = (async () => {
      try {
        // In chunks: FerretDB/SQLite hangs on an update command of 100+ statements (a host each here).
        await bulkWriteChunked(
          [...batch].map(([id, c]) => ({
            updateOne: {
              filter: { _id: id },
              update: {
                $setOnInsert: { host: c.host, minute: c.minute },
                $inc: { requests: c.requests, clientErrors: c.clientErrors, uploads: c.uploads, unstampedUploads: c.unstampedUploads },
                $max: { lastAt: c.lastAt },
              },
              upsert: true,
            },
          })),
          (chunk) => this.model.bulkWrite(chunk, { ordered: false }),
        );
        const last = new Map<string, Date>();
        for (const c of batch.values()) if (!last.has(c.host) || c.lastAt > last.get(c.host)!) last.set(c.host, c.lastAt);
        await bulkWriteChunked(
          [...last].map(([host, lastAt]) => ({ updateOne: { filter: { _id: host }, update: { $max: { lastAt } }, upsert: true } })),
          (chunk) => this.hosts.bulkWrite(chunk, { ordered: false }),
        );
      } catch (err) {
        // Put the counts back (merged with what came in since) for the next flush.
        for (const [id, c] of batch) {
          const now = this.pending.get(id);
          if (!now) this.pending.set(id, c);
          else {
            now.requests += c.requests;
            now.clientErrors += c.clientErrors;
            now.uploads += c.uploads;
            now.unstampedUploads += c.unstampedUploads;
            if (c.lastAt > now.lastAt) now.lastAt = c.lastAt;
          }
        }
        throw err;
      } finally {
        this.flushing = undefined;
      }
    })();
    await this.flushing;
  }

  /**
   * Deletes minutes older than `minutesBefore` and hosts last heard before `hostsBefore` (no TTL
   * indexes on FerretDB: done by the monitor). Both collections are read and rewritten in full on
   * FerretDB, so each is kept to what a detector reads: minutes of the window, hosts of the look-back.
   */
  async prune(minutesBefore: Date, hostsBefore: Date = minutesBefore): Promise<number> {
    const r = await this.model.deleteMany({ minute: { $lt: minutesBefore } });
    await this.hosts.deleteMany({ lastAt: { $lt: hostsBefore } });
    return r.deletedCount ?? 0;
  }
}
