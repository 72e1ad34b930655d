import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/**
 * The alert events of one consumed batch, in `alert_history_<yyyymmdd>` (the day it was first
 * received, named by its id; ALERT_DISPATCHER_DAY_COLLECTIONS). Read by `_id` only
 * (history-store.ts:loadBucket); retention drops the day (pruneBefore).
 */
export interface HistoryBucketDoc {
  _id: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  receivedAt: Date;
  count: number;
  /** The records as one JSON text: FerretDB converts nested documents field by field (~10x slower). */
  records: string;
}

/**
 * Counts of one batch, in `alert_history_counts_<yyyymmdd>` (the day of its receivedAt): what
 * accounting (history-store.ts:fanoutCounts, the days of the window) and /v1/alerts
 * (recent: the newest day, sorted by receivedAt) read, without touching the (large) records.
 */
export interface HistoryCountsDoc {
  _id: string;
  receivedAt: Date;
  alerts: number;
  fanout: Array<{ recipient: string; state: 'queued' | 'dropped' | 'silenced'; cause?: string; n: number }>;
}

/**
 * The batches holding alerts received in one UTC hour (`_id` = `2026-12-07T14`), in
 * `alert_history_hours_<yyyymmdd>` of that hour's day: a time range is an `_id` range of these, per
 * day (history-store.ts:bucketsByHour); each id names its batch's day.
 */
export interface HistoryHourDoc {
  _id: string;
  buckets: string[];
}

/** One consumed partition's progress. */
export interface ConsumerProgressDoc {
  _id: string;
  /** Every event at or before this offset is fully processed (history, queues, states, outcomes). */
  through: string | null;
  /** The batch being written; after a crash its records are reused, not decided again. */
  pending: { bucketId: string; firstOffset: string; lastOffset: string } | null;
}

const bucketSchema = new Schema<HistoryBucketDoc>(
  { _id: String, partition: Number, firstOffset: String, lastOffset: String, receivedAt: Date, count: Number, records: String },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertHistory, minimize: false },
);
// The models below name the single collections of releases before per-day collections: read by
// migrate-history (and a batch id without a day by history-store.ts:loadBucket until then). No index
// is built for them; the per-day collections have none (read by `_id`, or a day whole).

const countsSchema = new Schema<HistoryCountsDoc>(
  { _id: String, receivedAt: Date, alerts: Number, fanout: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertHistoryCounts, minimize: false },
);

const hourSchema = new Schema<HistoryHourDoc>({ _id: String, buckets: [String] }, { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertHistoryHours });

const progressSchema = new Schema<ConsumerProgressDoc>(
  { _id: String, through: String, pending: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertConsumerProgress, minimize: false },
);
// No secondary index: one document per partition, read and written by _id.

export function historyBucketModel(conn: Connection): Model<HistoryBucketDoc> {
  return conn.models.AlertHistoryBucket ?? conn.model<HistoryBucketDoc>('AlertHistoryBucket', bucketSchema);
}

export function historyCountsModel(conn: Connection): Model<HistoryCountsDoc> {
  return conn.models.AlertHistoryCounts ?? conn.model<HistoryCountsDoc>('AlertHistoryCounts', countsSchema);
}

export function historyHourModel(conn: Connection): Model<HistoryHourDoc> {
  return conn.models.AlertHistoryHour ?? conn.model<HistoryHourDoc>('AlertHistoryHour', hourSchema);
}

export function consumerProgressModel(conn: Connection): Model<ConsumerProgressDoc> {
  return conn.models.AlertConsumerProgress ?? conn.model<ConsumerProgressDoc>('AlertConsumerProgress', progressSchema);
}
