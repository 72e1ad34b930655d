import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** One Kafka message waiting to be published, exactly as it will be sent (already validated and encoded). */
export interface OutboxEntry {
  /** The CloudEvents id: a re-published entry is recognised downstream as the same event. */
  _id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  /** Order of publication: creation time in µs plus a counter, so entries of one key keep their order. */
  seq: number;
  createdAt: Date;
}

const schema = new Schema<OutboxEntry>(
  {
    _id: { type: String, required: true },
    topic: { type: String, required: true },
    key: { type: String, required: true },
    value: { type: String, required: true },
    // Header names contain no '.' or '$' (ce_id, content-type), which FerretDB would refuse.
    headers: { type: Schema.Types.Mixed, required: true },
    seq: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, bufferCommands: false },
);
// outbox/src/outbox.ts:scanRound: the relay reads the oldest entries first (find().sort({ seq: 1 }).limit(n)).
schema.index({ seq: 1 });

/** The outbox collection `collection` (the shared one, or one of a relay instance's segments). */
export function outboxModel(conn: Connection, collection: string = COLLECTIONS.shared.outbox): Model<OutboxEntry> {
  return conn.models[collection] ?? conn.model<OutboxEntry>(collection, schema, collection);
}
