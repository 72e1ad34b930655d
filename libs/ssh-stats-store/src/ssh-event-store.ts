import type { Connection, Model } from 'mongoose';
import type { SshDayStats, SshEvent, SshSource } from '@watchkeeper/contracts';
import { bulkWriteChunked, isDuplicateKey } from '@watchkeeper/mongo';
import { CalendarDay, SshStatsAccumulator, type SshStatsInput } from '@watchkeeper/ssh-stats';
import { datesBetween, instantsCovering, instantsOfDates } from './date-range';
import { topSources } from './ssh-sources';
import { sshEventModels, type SshEventDoc, type SshHostDoc } from './ssh-event-model';

/** Kinds that count as a failed login attempt for brute-force detection. */
export const FAILED_ATTEMPT_KINDS = ['failed', 'auth_failure'] as const;

/**
 * sshd events from the ssh-events topic, stored once each (by event id), and the per-host, per-day
 * statistics computed from them with the same accumulator the collector's `count` uses — so both give
 * the same figures for the same lines, and a replayed event changes nothing.
 */
export class SshEventStore {
  readonly events: Model<SshEventDoc>;
  readonly hosts: Model<SshHostDoc>;

  constructor(conn: Connection, private readonly opts: { timeZone: string }) {
    ({ events: this.events, hosts: this.hosts } = sshEventModels(conn));
    new SshStatsAccumulator({ timeZone: opts.timeZone }); // RangeError now for an unknown zone, not at the first request
  }

  get timeZone(): string {
    return this.opts.timeZone;
  }

  /** Stores events idempotently; returns how many were new. */
  async addMany(events: SshEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const docs = events.map(toDoc);
    let inserted = docs.length;
    try {
      await this.events.collection.insertMany(docs as never[], { ordered: false });
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ code?: number }> }).writeErrors ?? [];
      if (!isDuplicateKey(err) && writeErrors.length === 0) throw err;
      if (writeErrors.some((w) => w.code !== 11000)) throw err;
      inserted = docs.length - Math.max(writeErrors.length, 1);
      const result = (err as { result?: { insertedCount?: number }; insertedCount?: number });
      inserted = result.insertedCount ?? result.result?.insertedCount ?? inserted;
    }
    const byHost = new Map<string, { first: Date; last: Date }>();
    for (const d of docs) {
      const h = byHost.get(d.host);
      if (!h) byHost.set(d.host, { first: d.time, last: d.time });
      else {
        if (d.time < h.first) h.first = d.time;
        if (d.time > h.last) h.last = d.time;
      }
    }
    // In chunks: FerretDB 1.x hangs on an update command of 100+ statements that match stored documents.
    await bulkWriteChunked(
      [...byHost].map(([host, r]) => ({ updateOne: { filter: { _id: host }, update: { $min: { firstAt: r.first }, $max: { lastAt: r.last } }, upsert: true } })),
      (chunk) => this.hosts.bulkWrite(chunk, { ordered: false }),
    );
    return inserted;
  }

  async knownHosts(): Promise<string[]> {
    return (await this.hosts.find({}, { _id: 1 }).sort({ _id: 1 }).lean()).map((h) => h._id);
  }

  async count(): Promise<number> {
    return this.events.countDocuments();
  }

  /**
   * Statistics of one host for every date in `from`…`to` (inclusive): null where the host stored no
   * event that day ("no data"), which is not the same as zero. Events from two days before `from` are
   * read too: a session counts on the day of its first line and a PID seen again within 24 h is the
   * same session, and no event earlier than that can move a session start into the range (any time
   * zone's offset is under 14 h).
   */
  async hostDays(host: string, from: string, to: string): Promise<Array<{ date: string; stats: SshDayStats | null }>> {
    const { start, end } = instantsCovering(from, to);
    const docs = await this.events.find({ host, time: { $gte: start, $lt: end } }).sort({ time: 1 }).lean();
    const acc = new SshStatsAccumulator({ timeZone: this.opts.timeZone });
    for (const d of docs) acc.add(toInput(d));
    const byDate = new Map(acc.days().map((d) => [d.date, d]));
    return datesBetween(from, to).map((date) => ({ date, stats: byDate.get(date) ?? null }));
  }

  /**
   * Top client addresses by login attempts on the dates `from`…`to` (inclusive, in the store's time
   * zone), optionally only on some hosts; see `topSources` for the counting rules.
   */
  async topSources(opts: { from: string; to: string; hosts?: string[]; limit: number; maxTimeMS?: number }): Promise<{ totalSources: number; sources: SshSource[] }> {
    const { start, end } = instantsOfDates(opts.from, opts.to, new CalendarDay(this.opts.timeZone));
    return topSources(this.events, { start, end, hosts: opts.hosts, limit: opts.limit, maxTimeMS: opts.maxTimeMS });
  }

  /** Failed login attempts (weighted by `count`) from one address in [from, to]. */
  async failedAttempts(sourceIp: string, from: Date, to: Date): Promise<number> {
    const r = await this.events.aggregate<{ n: number }>([
      { $match: { sourceIp, time: { $gte: from, $lte: to }, kind: { $in: [...FAILED_ATTEMPT_KINDS] }, method: { $ne: 'none' } } },
      { $group: { _id: null, n: { $sum: '$count' } } },
    ]);
    return r[0]?.n ?? 0;
  }

  /** Time of the last failed attempt from an address, or undefined. */
  async lastFailedAt(sourceIp: string): Promise<Date | undefined> {
    const d = await this.events
      .find({ sourceIp, kind: { $in: [...FAILED_ATTEMPT_KINDS] }, method: { $ne: 'none' } }, { time: 1 })
      .sort({ time: -1 })
      .limit(1)
      .lean();
    return d[0]?.time;
  }
}

function toDoc(e: SshEvent): SshEventDoc {
  return {
    _id: e.id,
    host: e.host,
    time: new Date(e.time),
    kind: e.kind,
    pid: e.pid,
    count: e.count,
    ...(e.user !== undefined ? { user: e.user } : {}),
    ...(e.sourceIp !== undefined ? { sourceIp: e.sourceIp } : {}),
    ...(e.sourceInferred !== undefined ? { sourceInferred: e.sourceInferred } : {}),
    ...(e.method !== undefined ? { method: e.method } : {}),
  };
}

function toInput(d: SshEventDoc): SshStatsInput {
  return {
    host: d.host,
    time: d.time.toISOString(),
    kind: d.kind as SshStatsInput['kind'],
    pid: d.pid,
    count: d.count,
    ...(d.sourceIp ? { sourceIp: d.sourceIp } : {}),
    ...(d.sourceInferred ? { sourceInferred: true } : {}),
    ...(d.method ? { method: d.method } : {}),
  };
}
