import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

/** The one gate document, shared by every receiver instance. */
export interface VersionGateDoc {
  _id: string;
  commits: string[];
  window: number;
  source: 'api' | 'git';
  updatedAt: Date;
}

const schema = new Schema<VersionGateDoc>(
  {
    _id: { type: String, required: true },
    commits: { type: [String], required: true },
    window: { type: Number, required: true },
    source: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, bufferCommands: false },
);
// No secondary index: one document, read and written by _id.

export function versionGateModel(conn: Connection): Model<VersionGateDoc> {
  return conn.models.VersionGate ?? conn.model<VersionGateDoc>('VersionGate', schema, COLLECTIONS.receiver.versionGate);
}
