import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** A host the admin retired: not expected, not listed, no valid token. Removed when it gets a new token. */
export interface RetiredHostDoc {
  /** The host. */
  _id: string;
  retiredAt: Date;
}

const schema = new Schema<RetiredHostDoc>({ _id: { type: String, required: true }, retiredAt: { type: Date, required: true } }, { versionKey: false, bufferCommands: false });
// No secondary index: read whole (a few hosts) or by _id.

export function retiredHostModel(conn: Connection): Model<RetiredHostDoc> {
  return conn.models.RetiredHost ?? conn.model<RetiredHostDoc>('RetiredHost', schema, COLLECTIONS.receiver.retiredHosts);
}
