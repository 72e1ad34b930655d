import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/**
 * The brute-force detector's memory of one partition, written after every chunk before its offsets are
 * committed: each address's newest attempts within findtime (at most maxretry of them) and its episode,
 * plus the offset it covers. A restart reads one document per partition and replays only what follows.
 */
export interface WindowSnapshotDoc {
  /** `<consumer group>/<partition>`. */
  _id: string;
  /** Last offset applied; replayed offsets up to it are skipped. */
  offset: string;
  watermark: number;
  // Objects, not tuples: FerretDB stores no nested arrays.
  sources: Array<{ ip: string; attempts: Array<{ t: number; id: string; n: number }>; maxTime: number; touched: number; episode?: { since: number; last: number; live: boolean; bucket: number } }>;
  savedAt: Date;
}

const schema = new Schema<WindowSnapshotDoc>(
  { _id: { type: String, required: true }, offset: { type: String, required: true }, watermark: Number, sources: [Schema.Types.Mixed], savedAt: Date },
  { versionKey: false, bufferCommands: false },
);
// No secondary index: read and written by _id only.

export function windowSnapshotModel(conn: Connection, collection: string = COLLECTIONS.receiver.bruteForceWindows): Model<WindowSnapshotDoc> {
  return conn.models[collection] ?? conn.model<WindowSnapshotDoc>(collection, schema, collection);
}
