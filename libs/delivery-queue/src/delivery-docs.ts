import { Schema } from 'mongoose';
import type { Notification } from './types';

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

/** One item of a sent digest, as kept in the delivery log. */
export interface DigestItem {
  id: string;
  alertId: string;
  fingerprint: string;
  kind: Notification['kind'];
  type: string;
  entity: Notification['entity'];
  severity: Notification['severity'];
  occurredAt: string;
  receivedAt: Date;
  attempts: number;
  generation: number;
  /** The recipient the route named (differs from the digest's recipient when a fallback took it). */
  routedTo: string;
}

/** One delivered digest: the durable answer to "what was delivered, when, in which notification". */
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

export function digestItems(l: Pick<DigestLog, 'items'>): DigestItem[] {
  // Digests logged before the items became JSON text hold an array.
  const v = l.items as unknown;
  return typeof v === 'string' ? (JSON.parse(v) as DigestItem[]) : (v as DigestItem[]);
}

/** A notification that exhausted its attempts (and fallback), kept whole so it can be replayed. */
export interface DeadLetterDoc {
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
  notification: Notification;
}

export const segmentSchema = new Schema<SegmentDoc>(
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
  { versionKey: false, collection: 'delivery_segments', minimize: false },
);

export const digestSchema = new Schema<DigestLog>(
  { _id: String, recipient: String, at: Date, items: String, counts: { type: Schema.Types.Mixed }, segs: [String], refs: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: 'delivery_digests', minimize: false },
);
// Serves GET /v1/deliveries (newest first), accounting windows and pruning.
digestSchema.index({ at: -1 });

export const deadSchema = new Schema<DeadLetterDoc>(
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
  { versionKey: false, collection: 'delivery_dead_letters', minimize: false },
);
// Serves replay by recipient and accounting windows.
deadSchema.index({ recipient: 1 });
deadSchema.index({ receivedAt: 1 });

/** Groups items by their segment: the settle records of a digest, a fallback or a settle flush. */
export function refsOf(items: Array<{ segment?: string; index?: number }>): SettleRef[] {
  const by = new Map<string, number[]>();
  for (const i of items) {
    if (i.segment === undefined || i.index === undefined) continue;
    const list = by.get(i.segment) ?? [];
    list.push(i.index);
    by.set(i.segment, list);
  }
  return [...by].map(([seg, idx]) => ({ seg, idx }));
}
