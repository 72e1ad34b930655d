import type { Connection, Model } from 'mongoose';
import type { AlertEvent, AlertHistoryEntry } from '@watchkeeper/contracts';
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
import { isDuplicateKey, replaceAllById } from '@watchkeeper/mongo';
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

export const bucketId = (groupId: string, partition: number, firstOffset: string) => `${groupId}:${partition}:${firstOffset.padStart(20, '0')}`;

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

/**
 * The built-in store: every alert event received, kept as one document per consumed batch (FerretDB
 * reads whole documents, so per-event documents would make every scan cost the whole history), a
 * small counts document per batch for accounting, and per-partition progress for exactly-once
 * recording across redeliveries (Kafka position, not wall clock, says what was already done).
 */
export class AlertHistoryStore {
  readonly buckets: Model<BucketDoc>;
  readonly counts: Model<CountsDoc>;
  readonly progress: Model<ProgressDoc>;
  readonly hours: Model<HourDoc>;
  /** Hour-index updates, one at a time in this process (see listUnderHours). */
  private hourUpdates: Promise<unknown> = Promise.resolve();

  constructor(conn: Connection) {
    this.hours = historyHourModel(conn);
    this.buckets = historyBucketModel(conn);
    this.counts = historyCountsModel(conn);
    this.progress = consumerProgressModel(conn);
  }

  get models(): Array<Model<any>> {
    return [this.buckets, this.counts, this.progress, this.hours];
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

  async markPending(p: ProgressDoc, pending: NonNullable<ProgressDoc['pending']>): Promise<void> {
    await this.writeProgress({ _id: p._id, pending, through: p.through });
  }

  async markDone(p: ProgressDoc, through: string): Promise<void> {
    await this.writeProgress({ _id: p._id, pending: null, through });
  }

  private async writeProgress(next: ProgressDoc): Promise<void> {
    try {
      await this.progress.updateOne({ _id: next._id }, { $set: { pending: next.pending, through: next.through } }, { upsert: true });
    } catch (err) {
      this.cachedProgress.delete(next._id); // the write may or may not have landed: read it again
      throw err;
    }
    if (this.cachedProgress.has(next._id)) this.cachedProgress.set(next._id, next);
  }

  async loadBucket(id: string): Promise<HistoryRecord[]> {
    const d = await this.buckets.findById(id).lean<BucketDoc>();
    if (!d) return [];
    return (JSON.parse(d.records) as HistoryRecord[]).map((r) => ({
      ...r,
      receivedAt: new Date(r.receivedAt),
      decision: { ...r.decision, ...(r.decision.startsAt ? { startsAt: new Date(r.decision.startsAt) } : {}) },
    }));
  }

  /** Writes (or rewrites, after a crash) one batch: its records and its counts. */
  async saveBatch(id: string, partition: number, receivedAt: Date, records: HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const offsets = records.map((r) => BigInt(r.kafka.offset));
    const min = offsets.reduce((a, b) => (b < a ? b : a)).toString();
    const max = offsets.reduce((a, b) => (b > a ? b : a)).toString();
    // Records redelivered after a crash keep their first receivedAt: the batch is listed under each hour it holds.
    const hours = [...new Set(records.map((r) => hourKey(new Date(r.receivedAt))))];
    // Side by side: a crash between them leaves the batch pending, and its redelivery rewrites all.
    await Promise.all([
      replaceAllById(this.buckets, [{ _id: id, partition, firstOffset: min, lastOffset: max, receivedAt, count: records.length, records: JSON.stringify(records) }]),
      replaceAllById(this.counts, [{ _id: id, receivedAt, ...countBatch(records) }]),
      this.listUnderHours(hours, id),
    ]);
  }

  /**
   * Adds a batch to its hours' lists. Batches of different partitions are saved side by side, and
   * FerretDB 1.x does not apply concurrent upserts of one document atomically: two batches opening the
   * same hour could insert it twice (duplicate key) or lose one `$addToSet`, and a batch missing from
   * its hour is missing from /v1/alerts/history. So one update at a time per process, and a
   * duplicate key (another instance opened the hour first) is retried as an update.
   */
  private listUnderHours(hours: string[], id: string): Promise<void> {
    const run = this.hourUpdates.then(async () => {
      for (const h of hours) {
        const add = () => this.hours.updateOne({ _id: h }, { $addToSet: { buckets: id } }, { upsert: true });
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
    await this.counts.deleteOne({ _id: id });
    await this.buckets.deleteOne({ _id: id });
  }

  /** The newest records, newest first. */
  async recent(limit = 100): Promise<HistoryRecord[]> {
    const latest = await this.counts.find({}, { _id: 1 }).sort({ receivedAt: -1 }).limit(Math.min(50, limit)).lean();
    const out: HistoryRecord[] = [];
    for (const { _id } of latest) {
      out.push(...(await this.loadBucket(_id)));
      if (out.length >= limit * 2) break;
    }
    return out.sort((a, b) => new Date(b.receivedAt).getTime() - new Date(a.receivedAt).getTime() || Number(BigInt(b.kafka.offset) - BigInt(a.kafka.offset))).slice(0, limit);
  }

  /** Fan-out counts of the alerts received in [from, to). */
  async fanoutCounts(from: Date, to: Date): Promise<{ alerts: number; counts: BatchCounts['fanout'] }> {
    const docs = await this.counts.find({ receivedAt: { $gte: from, $lt: to } }).lean<CountsDoc[]>();
    return { alerts: docs.reduce((s, d) => s + d.alerts, 0), counts: docs.flatMap((d) => d.fanout) };
  }

  /** The batch ids listed under each UTC hour in [from, to], newest hour first (one `_id` range read). */
  async bucketsByHour(from: Date, to: Date): Promise<Array<{ hour: string; buckets: string[] }>> {
    const docs = await this.hours.find({ _id: { $gte: hourKey(from), $lte: hourKey(to) } }).lean<HourDoc[]>();
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

  /**
   * Lists batches written before the hour index existed under their hours, once (when the index is
   * empty and batches exist): reads the small counts documents, not the records.
   */
  async indexOlderBatches(): Promise<number> {
    if ((await this.hours.findOne({}, { _id: 1 }).lean()) !== null) return 0;
    const rows = await this.counts.find({}, { _id: 1, receivedAt: 1 }).lean<Array<{ _id: string; receivedAt: Date }>>();
    const byHour = new Map<string, string[]>();
    for (const r of rows) byHour.set(hourKey(r.receivedAt), [...(byHour.get(hourKey(r.receivedAt)) ?? []), r._id]);
    for (const [h, ids] of byHour) await this.hours.updateOne({ _id: h }, { $addToSet: { buckets: { $each: ids } } }, { upsert: true });
    return rows.length;
  }

  /** Retention in code (FerretDB has no TTL indexes). */
  async pruneBefore(before: Date, keep: string[] = []): Promise<void> {
    // Hours wholly before the cut; a kept batch stays readable by id (for its queue segments), not listed.
    await this.hours.deleteMany({ _id: { $lt: hourKey(before) } });
    await this.buckets.deleteMany({ receivedAt: { $lt: before }, ...(keep.length > 0 ? { _id: { $nin: keep } } : {}) });
    await this.counts.deleteMany({ receivedAt: { $lt: before }, ...(keep.length > 0 ? { _id: { $nin: keep } } : {}) });
  }
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
