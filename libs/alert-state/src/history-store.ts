import type { Connection, Model, mongo } from 'mongoose';
import type { AlertEvent, AlertHistoryEntry } from '@watchkeeper/contracts';
import { ALERT_DISPATCHER_DAY_COLLECTIONS as DAY, alertDispatcherDayOf, dayOfBucket, type AlertDispatcherDayKind } from '@watchkeeper/dal';
import {
  consumerProgressModel,
  historyBucketModel,
  historyCountsModel,
  historyHourModel,
  type ConsumerProgressDoc as ProgressDoc,
  type HistoryBucketDoc as BucketDoc,
  type HistoryCountsDoc as CountsDoc,
  type HistoryHourDoc as HourDoc,
} from '@watchkeeper/dal/alert-dispatcher';
import { bulkWriteChunked, collectionNames, isDuplicateKey, replaceAllById, utcDayKey } from '@watchkeeper/mongo';
import type { Decision } from './transition';

/** What happened to the alert at one recipient when it was received. */
export interface FanoutEntry {
  recipient: string;
  state: 'queued' | 'dropped' | 'silenced';
  cause?: string;
  fallback?: string;
}

/** One alert event as received, with the decision taken and where each recipient's copy went. */
export interface HistoryRecord {
  eventId: string;
  fingerprint: string;
  event: AlertEvent;
  receivedAt: Date;
  decision: Decision;
  fanout: FanoutEntry[];
  kafka: { partition: number; offset: string };
}

/** Counts of one batch: what accounting reads, without touching the (large) records. */
export interface BatchCounts {
  alerts: number;
  fanout: Array<{ recipient: string; state: FanoutEntry['state']; cause?: string; n: number }>;
}

/** `2026-12-07T14`: the UTC hour of a time, sortable as text. */
export const hourKey = (t: Date) => t.toISOString().slice(0, 13);

/**
 * A consumed batch's id: its partition and first offset, and the UTC day it was first received (the
 * day collection that holds it), so a batch is found by one point read of one day.
 */
export const bucketId = (groupId: string, partition: number, firstOffset: string, receivedAt: Date) => `${groupId}:${partition}:${firstOffset.padStart(20, '0')}@${utcDayKey(receivedAt)}`;

export { dayOfBucket };

/**
 * The id a batch gets when `pending` (the partition's batch interrupted by a crash) starts at the same
 * offset: the same id, so its redelivery rewrites it in the same day collection as its first attempt.
 */
export function redeliveredBucket(pending: ProgressDoc['pending'], firstOffset: string): string | undefined {
  return pending && pending.firstOffset === firstOffset && dayOfBucket(pending.bucketId) ? pending.bucketId : undefined;
}

export function countBatch(records: HistoryRecord[]): BatchCounts {
  const rows = new Map<string, BatchCounts['fanout'][number]>();
  for (const r of records) {
    for (const f of r.fanout) {
      const cause = f.state === 'queued' ? undefined : f.cause;
      const k = `${f.recipient}\u0000${f.state}\u0000${cause ?? ''}`;
      const row = rows.get(k) ?? { recipient: f.recipient, state: f.state, ...(cause ? { cause } : {}), n: 0 };
      row.n += 1;
      rows.set(k, row);
    }
  }
  return { alerts: records.length, fanout: [...rows.values()] };
}

/** A batch's stored document as a record list (dates revived). */
export function recordsOf(d: Pick<BucketDoc, 'records'>): HistoryRecord[] {
  return (JSON.parse(d.records) as HistoryRecord[]).map((r) => ({
    ...r,
    receivedAt: new Date(r.receivedAt),
    decision: { ...r.decision, ...(r.decision.startsAt ? { startsAt: new Date(r.decision.startsAt) } : {}) },
  }));
}

/**
 * The built-in store: every alert event received, kept as one document per consumed batch (FerretDB
 * reads whole documents, so per-event documents would make every scan cost the whole history), a
 * small counts document per batch for accounting, and per-partition progress for exactly-once
 * recording across redeliveries (Kafka position, not wall clock, says what was already done).
 *
 * Batches, counts and the hour index live in per-UTC-day collections (ALERT_DISPATCHER_DAY_COLLECTIONS):
 * a batch on the day it was first received (named by its id), an hour's list on that hour's day.
 * Every recurring read touches only the days it needs, and retention drops whole days.
 */
export class AlertHistoryStore {
  readonly progress: Model<ProgressDoc>;
  /** Where releases before per-day collections kept everything: batches with an id without a day are read there until migrate-history moves them. */
  readonly legacy: { buckets: Model<BucketDoc>; counts: Model<CountsDoc>; hours: Model<HourDoc> };
  /** Hour-index updates, one at a time in this process (see listUnderHours). */
  private hourUpdates: Promise<unknown> = Promise.resolve();

  constructor(private readonly conn: Connection) {
    this.progress = consumerProgressModel(conn);
    this.legacy = { buckets: historyBucketModel(conn), counts: historyCountsModel(conn), hours: historyHourModel(conn) };
  }

  /** Models whose indexes the engine builds at start: per-day collections have none (read by `_id`, or whole). */
  get models(): Array<Model<any>> {
    return [this.progress];
  }

  private get db(): mongo.Db {
    return this.conn.db!;
  }

  batches(day: string): mongo.Collection<BucketDoc> {
    return this.db.collection<BucketDoc>(DAY.batches(day));
  }

  counts(day: string): mongo.Collection<CountsDoc> {
    return this.db.collection<CountsDoc>(DAY.counts(day));
  }

  hours(day: string): mongo.Collection<HourDoc> {
    return this.db.collection<HourDoc>(DAY.hours(day));
  }

  /** The days that have a collection of this kind, oldest first (one listCollections). */
  async days(kind: AlertDispatcherDayKind): Promise<string[]> {
    return (await collectionNames(this.db))
      .map(alertDispatcherDayOf)
      .filter((d) => d?.kind === kind)
      .map((d) => d!.day)
      .sort();
  }

  /**
   * Progress of the partitions this process is consuming, as it last wrote it: the consumer reads it
   * once per partition (not once per batch). Entries exist only between a cached load and the next
   * forgetProgress (a new assignment) or failed write, so a partition consumed elsewhere meanwhile is read again.
   */
  private readonly cachedProgress = new Map<string, ProgressDoc>();

  async loadProgress(groupId: string, partition: number, opts: { cached?: boolean } = {}): Promise<ProgressDoc> {
    const id = `${groupId}:${partition}`;
    const hit = opts.cached ? this.cachedProgress.get(id) : undefined;
    if (hit) return hit;
    const d = await this.progress.findById(id).lean<ProgressDoc>();
    const p = d ?? { _id: id, through: null, pending: null };
    if (opts.cached) this.cachedProgress.set(id, p);
    return p;
  }

  /** Drops cached progress (all, or one partition's id): the next cached load reads the database. */
  forgetProgress(id?: string): void {
    if (id === undefined) this.cachedProgress.clear();
    else this.cachedProgress.delete(id);
  }

  /** One batch's records: a point read of its day's collection. */
  async loadBucket(id: string): Promise<HistoryRecord[]> {
    const day = dayOfBucket(id);
    const d = day ? await this.batches(day).findOne({ _id: id }, { projection: { records: 1 } }) : await this.legacy.buckets.findById(id, { records: 1 }).lean<BucketDoc>();
    return d ? recordsOf(d) : [];
  }

  /** Writes (or rewrites, after a crash) one batch: its records and its counts, in the day its id names. */
  async saveBatch(id: string, partition: number, receivedAt: Date, records: HistoryRecord[]): Promise<void> {
    await this.saveBatches([{ id, partition, receivedAt, records }]);
  }


  /**
   * Adds a batch to its hours' lists. Batches of different partitions are saved side by side, and
   * FerretDB 1.x does not apply concurrent upserts of one document atomically: two batches opening the
   * same hour could insert it twice (duplicate key) or lose one `$addToSet`, and a batch missing from
   * its hour is missing from /v1/alerts/history. So one update at a time per process, and a
   * duplicate key (another instance opened the hour first) is retried as an update.
   */
  private listUnderHours(hours: string[], ids: string[]): Promise<void> {
    const run = this.hourUpdates.then(async () => {
      for (const h of hours) {
        const add = () => this.hours(hourDay(h)).updateOne({ _id: h }, { $addToSet: { buckets: { $each: ids } } }, { upsert: true });
        await add().catch((err) => {
          if (!isDuplicateKey(err)) throw err;
          return add();
        });
      }
    });
    this.hourUpdates = run.catch(() => undefined);
    return run;
  }

  /** Drops a pending batch that a redelivery replaced with a different one. */
  async deleteBatch(id: string): Promise<void> {
    const day = dayOfBucket(id);
    if (!day) {
      await this.legacy.counts.deleteOne({ _id: id });
      await this.legacy.buckets.deleteOne({ _id: id });
      return;
    }
    await this.counts(day).deleteOne({ _id: id }); // a redelivery after midnight wrote them elsewhere: see saveBatch
    await this.batches(day).deleteOne({ _id: id });
  }

  /** The newest records, newest first: the newest days' counts only, newest day first, then the batches by `_id`. */
  async recent(limit = 100): Promise<HistoryRecord[]> {
    const want = Math.min(50, limit);
    const latest: string[] = [];
    for (const day of (await this.days('counts')).reverse()) {
      const docs = await this.counts(day).find({}, { projection: { _id: 1 } }).sort({ receivedAt: -1 }).limit(want - latest.length).toArray();
      latest.push(...docs.map((d) => d._id));
      if (latest.length >= want) break;
    }
    const out: HistoryRecord[] = [];
    for (const id of latest) {
      out.push(...(await this.loadBucket(id)));
      if (out.length >= limit * 2) break;
    }
    return out.sort((a, b) => new Date(b.receivedAt).getTime() - new Date(a.receivedAt).getTime() || Number(BigInt(b.kafka.offset) - BigInt(a.kafka.offset))).slice(0, limit);
  }

  /** Fan-out counts of the alerts received in [from, to): the counts collections of the range's days only. */
  async fanoutCounts(from: Date, to: Date): Promise<{ alerts: number; counts: BatchCounts['fanout'] }> {
    const first = utcDayKey(from);
    const last = utcDayKey(Math.max(from.getTime(), to.getTime() - 1));
    const docs: CountsDoc[] = [];
    for (const day of await this.days('counts')) {
      if (day < first || day > last) continue;
      docs.push(...(await this.counts(day).find({ receivedAt: { $gte: from, $lt: to } }).toArray()));
    }
    return { alerts: docs.reduce((s, d) => s + d.alerts, 0), counts: docs.flatMap((d) => d.fanout) };
  }

  /** The batch ids listed under each UTC hour in [from, to], newest hour first (one `_id` range read per day). */
  async bucketsByHour(from: Date, to: Date): Promise<Array<{ hour: string; buckets: string[] }>> {
    const [first, last] = [hourKey(from), hourKey(to)];
    const docs: HourDoc[] = [];
    for (const day of await this.days('hours')) {
      if (day < hourDay(first) || day > hourDay(last)) continue;
      docs.push(...(await this.hours(day).find({ _id: { $gte: first, $lte: last } }).toArray()));
    }
    return docs.sort((a, b) => (a._id < b._id ? 1 : -1)).map((d) => ({ hour: d._id, buckets: d.buckets }));
  }

  /** Several batches' records: `_id` point reads, a few at a time (an `$in` may be a full scan on FerretDB). */
  async loadBuckets(ids: string[], concurrency = 8): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    for (let i = 0; i < ids.length; i += concurrency) {
      for (const records of await Promise.all(ids.slice(i, i + concurrency).map((id) => this.loadBucket(id)))) out.push(...records);
    }
    return out;
  }

  /** Batches still in the collections of releases before per-day collections (migrate-history moves them). */
  async hasLegacyBatches(): Promise<boolean> {
    return (await this.legacy.buckets.findOne({}, { _id: 1 }).lean()) !== null;
  }

  /**
   * Retention in code (FerretDB has no TTL indexes): drops the day collections wholly before the cut,
   * one drop each, whatever they hold. A day holding a batch in `keep` (open queue segments rebuild
   * their items from it) keeps its batches collection until no segment needs it; its counts and hour
   * lists go on time, so the figures follow the retention. Returns the collections dropped.
   */
  async pruneBefore(before: Date, keep: string[] = []): Promise<string[]> {
    const cut = utcDayKey(before);
    const kept = new Set(keep.map(dayOfBucket).filter(Boolean));
    const dropped: string[] = [];
    for (const name of await collectionNames(this.db)) {
      const d = alertDispatcherDayOf(name);
      if (!d || d.kind === 'digests' || d.day >= cut || (d.kind === 'batches' && kept.has(d.day))) continue;
      await this.db.dropCollection(name).catch(() => undefined); // gone already (another instance)
      dropped.push(name);
    }
    return dropped;
  }

  // Writes of one consumer cycle: the chunks of several partitions, each collection written once for all.

  /** Chunks of several partitions begun: a redelivery finds what they recorded (one write for all). */
  async markPendingMany(marks: Array<{ progress: ProgressDoc; pending: NonNullable<ProgressDoc['pending']> }>): Promise<void> {
    await this.writeProgressMany(marks.map(({ progress: p, pending }) => ({ _id: p._id, pending, through: p.through })));
  }

  /** Chunks of several partitions done: their offsets are not ingested again (one write for all). */
  async markDoneMany(marks: Array<{ progress: ProgressDoc; through: string }>): Promise<void> {
    await this.writeProgressMany(marks.map(({ progress: p, through }) => ({ _id: p._id, pending: null, through })));
  }

  /**
   * saveBatch for several batches (of different partitions): one write per collection. Side by side
   * as in saveBatch; a crash part-way leaves some batches written, each chunk still pending.
   */
  async saveBatches(batches: Array<{ id: string; partition: number; receivedAt: Date; records: HistoryRecord[] }>): Promise<void> {
    const docs = batches.filter((b) => b.records.length > 0).map((b) => batchDocs(b.id, b.partition, b.receivedAt, b.records));
    if (docs.length === 0) return;
    const grouped = <T>(key: (d: (typeof docs)[number]) => string, value: (d: (typeof docs)[number]) => T) => {
      const out = new Map<string, T[]>();
      for (const d of docs) out.set(key(d), [...(out.get(key(d)) ?? []), value(d)]);
      return out;
    };
    // Batches listed under the same hours (normally all of a cycle) go in one update per hour.
    const byHours = grouped((d) => d.hours.join(','), (d) => d.bucket._id);
    await Promise.all([
      ...[...grouped((d) => d.day, (d) => d.bucket)].map(([day, list]) => replaceAllById(this.batches(day), list)),
      ...[...grouped((d) => d.countsDay, (d) => d.counts)].map(([day, list]) => replaceAllById(this.counts(day), list)),
      // The counts go on the day of their receivedAt (what accounting ranges over): the batch's own day,
      // unless this is a redelivery after midnight, which moves them (and deletes the first attempt's).
      ...docs.filter((d) => d.countsDay !== d.day).map((d) => this.counts(d.day).deleteOne({ _id: d.bucket._id })),
      ...[...byHours].map(([hours, ids]) => this.listUnderHours(hours.split(','), ids)),
    ]);
  }

  private async writeProgressMany(next: ProgressDoc[]): Promise<void> {
    if (next.length === 0) return;
    try {
      await bulkWriteChunked(
        next.map((n) => ({ updateOne: { filter: { _id: n._id }, update: { $set: { pending: n.pending, through: n.through } }, upsert: true } })),
        (chunk) => this.progress.bulkWrite(chunk, { ordered: false }),
      );
    } catch (err) {
      for (const n of next) this.cachedProgress.delete(n._id); // some may have landed: read them again
      throw err;
    }
    for (const n of next) if (this.cachedProgress.has(n._id)) this.cachedProgress.set(n._id, n);
  }
}

/** The day (`yyyymmdd`) of an hour key. */
const hourDay = (hour: string) => hour.slice(0, 10).replaceAll('-', '');

/** The documents of one batch as saveBatch writes them, and where they go (its day; its counts' day; its hours). */
function batchDocs(id: string, partition: number, receivedAt: Date, records: HistoryRecord[]) {
  const day = dayOfBucket(id);
  if (!day) throw new Error(`history batch ${id}: the id names no day (see bucketId)`);
  const offsets = records.map((r) => BigInt(r.kafka.offset));
  const min = offsets.reduce((a, b) => (b < a ? b : a)).toString();
  const max = offsets.reduce((a, b) => (b > a ? b : a)).toString();
  return {
    day,
    countsDay: utcDayKey(receivedAt),
    bucket: { _id: id, partition, firstOffset: min, lastOffset: max, receivedAt, count: records.length, records: JSON.stringify(records) } as BucketDoc,
    counts: { _id: id, receivedAt, ...countBatch(records) } as CountsDoc,
    // Records redelivered after a crash keep their first receivedAt: the batch is listed under each hour it holds.
    hours: [...new Set(records.map((r) => hourKey(new Date(r.receivedAt))))],
  };
}

export function toHistoryEntry(r: HistoryRecord): AlertHistoryEntry {
  const e = r.event;
  return {
    eventId: r.eventId,
    alertId: e.id,
    action: e.action,
    fingerprint: r.fingerprint,
    type: e.type,
    entity: e.entity,
    labels: e.labels ?? {},
    severity: e.severity,
    ...(e.summary ? { summary: e.summary } : {}),
    source: e.source,
    ...(e.category ? { category: e.category } : {}),
    occurredAt: e.occurredAt,
    receivedAt: new Date(r.receivedAt).toISOString(),
    notified: r.decision.notify,
    reason: r.decision.reason,
    ...(r.decision.durationMs !== undefined ? { durationMs: r.decision.durationMs } : {}),
    recipients: r.fanout.map((f) => ({ recipient: f.recipient, state: f.state, ...(f.cause ? { cause: f.cause } : {}) })),
  };
}
