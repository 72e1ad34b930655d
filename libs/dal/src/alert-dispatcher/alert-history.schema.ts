import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** The alert events of one consumed batch. */
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

/** Counts of one batch: what accounting reads, without touching the (large) records. */
export interface HistoryCountsDoc {
  _id: string;
  receivedAt: Date;
  alerts: number;
  fanout: Array<{ recipient: string; state: 'queued' | 'dropped' | 'silenced'; cause?: string; n: number }>;
}

/** The batches holding alerts received in one UTC hour (`_id` = `2026-12-07T14`): a time range is an `_id` range of these. */
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
// alert-state/src/history-store.ts:pruneBefore: pruning by age (the records themselves are only ever read by _id).
bucketSchema.index({ receivedAt: 1 });

const countsSchema = new Schema<HistoryCountsDoc>(
  { _id: String, receivedAt: Date, alerts: Number, fanout: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertHistoryCounts, minimize: false },
);
// alert-state/src/history-store.ts:fanoutCounts (accounting windows), recent (the latest buckets) and pruneBefore.
countsSchema.index({ receivedAt: -1 });

const hourSchema = new Schema<HistoryHourDoc>({ _id: String, buckets: [String] }, { versionKey: false, collection: COLLECTIONS.alertDispatcher.alertHistoryHours });
// No secondary index: read by `_id` range (history-store.ts:bucketsByHour) and pruned by `_id` range.

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
