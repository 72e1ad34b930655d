import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** Items of one segment that a later record (digest, dead letter, fallback segment) settled. */
export interface SettleRef {
  seg: string;
  idx: number[];
}

/**
 * Queue items written together (one consumed Kafka chunk for one recipient, one fallback hand-over,
 * one replay), as one document: FerretDB scans and decodes whole documents, so the queue is a few
 * documents written once, never a document per item updated per attempt.
 */
export interface SegmentDoc {
  _id: string;
  recipient: string;
  partition: number;
  /** The history bucket (consumed chunk) it came from; with `offset`, its chunk's first offset. */
  bucket?: string;
  offset?: string;
  createdAt: Date;
  count: number;
  /** The items as one JSON text (nested documents cost FerretDB ~10x more to convert); empty when `ref`. */
  items: string;
  /**
   * The items are not stored here: they are rebuilt from the history bucket `bucket` (the alert body is
   * written once, in the history), as that chunk's records queued for `recipient`, in record order.
   */
  ref?: boolean;
  /** Positions already settled (delivered, dead-lettered or handed on), written in coalesced updates. */
  settled: number[];
  /** Items this segment took over from others (a fallback): those are settled there. */
  from?: SettleRef[];
  /** The segments named in `from` (queried). */
  fromSegs?: string[];
}

/**
 * One delivered digest: the durable answer to "what was delivered, when, in which notification". In
 * `delivery_digests_<yyyymmdd>`, the day of the delivery (ALERT_DISPATCHER_DAY_COLLECTIONS): read by
 * day from a window's first day on (queue-store.ts:list, windowCounts, and open from a segment's
 * first day), dropped whole by retention (pruneBefore). The single collection of earlier releases
 * (`COLLECTIONS.alertDispatcher.deliveryDigests`) is read once by migrate-history.
 */
export interface DigestLog {
  _id: string;
  recipient: string;
  at: Date;
  /** The DigestItems as one JSON text (FerretDB converts nested documents field by field, ~10x slower). */
  items: string;
  /** Delivered items by route recipient and receipt time: what accounting reads. */
  counts: Array<{ recipient: string; receivedAt: number; n: number }>;
  /** The segments its items came from (queried), and which positions (so a lost settle write is recovered). */
  segs: string[];
  refs: SettleRef[];
}

/** A notification that exhausted its attempts (and fallback), kept whole so it can be replayed. */
export interface DeadLetterDoc<N = Record<string, unknown>> {
  _id: string;
  recipient: string;
  cause: string;
  at: Date;
  attempts: number;
  generation: number;
  receivedAt: Date;
  partition: number;
  /** Where it was queued: settled by this letter. */
  seg?: string;
  idx?: number;
  notification: N;
}

const segmentSchema = new Schema<SegmentDoc>(
  {
    _id: String,
    recipient: String,
    partition: Number,
    bucket: String,
    offset: String,
    createdAt: Date,
    count: Number,
    items: String,
    ref: Boolean,
    settled: [Number],
    from: { type: Schema.Types.Mixed },
    fromSegs: [String],
  },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.deliverySegments, minimize: false },
);
// No secondary index: delivery-queue/src/queue-store.ts filters segments (the queue, not its history) by
// recipient, partition, bucket, ref and fromSegs, and reads the open ones whole.

const deadSchema = new Schema<DeadLetterDoc>(
  {
    _id: String,
    recipient: String,
    cause: String,
    at: Date,
    attempts: Number,
    generation: Number,
    receivedAt: Date,
    partition: Number,
    seg: String,
    idx: Number,
    notification: { type: Schema.Types.Mixed },
  },
  { versionKey: false, collection: COLLECTIONS.alertDispatcher.deliveryDeadLetters, minimize: false },
);
// delivery-queue/src/queue-store.ts:replayDeadLetters and list: a recipient's dead letters.
deadSchema.index({ recipient: 1 });
// delivery-queue/src/queue-store.ts:windowCounts: dead letters of an accounting window.
deadSchema.index({ receivedAt: 1 });

export function deliverySegmentModel(conn: Connection): Model<SegmentDoc> {
  return conn.models.DeliverySegment ?? conn.model<SegmentDoc>('DeliverySegment', segmentSchema);
}

export function deadLetterModel<N>(conn: Connection): Model<DeadLetterDoc<N>> {
  return (conn.models.DeliveryDeadLetter as Model<DeadLetterDoc<N>> | undefined) ?? conn.model<DeadLetterDoc<N>>('DeliveryDeadLetter', deadSchema as unknown as Schema<DeadLetterDoc<N>>);
}
