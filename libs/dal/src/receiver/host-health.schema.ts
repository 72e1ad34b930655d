import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

export interface HostHealthSnapshotDoc {
  /** The host: one document per host, replaced whole, so a reader sees the old or the new report, never a mix. */
  _id: string;
  receivedAt: Date;
  /** The host-health event this snapshot came from: breaks ties between equal time stamps. */
  eventId?: string;
  /**
   * The report as JSON text: a host's report may use keys MongoDB-wire servers refuse (`.`, leading
   * `$`), and it is only ever read back whole.
   */
  report: string;
}

const schema = new Schema<HostHealthSnapshotDoc>(
  { _id: { type: String, required: true }, receivedAt: { type: Date, required: true }, eventId: { type: String }, report: { type: String, required: true } },
  { versionKey: false, bufferCommands: false },
);
// No secondary index: one document per host, read by _id or whole.

export function hostHealthModel(conn: Connection): Model<HostHealthSnapshotDoc> {
  return conn.models.HostHealthSnapshot ?? conn.model<HostHealthSnapshotDoc>('HostHealthSnapshot', schema, COLLECTIONS.receiver.hostHealth);
}
