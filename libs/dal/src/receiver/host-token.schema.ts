import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

export interface HostTokenDoc {
  /** The public token id. */
  _id: string;
  host: string;
  /** SHA-256 of the secret part; the token itself is never stored. */
  hash: string;
  /**
   * `<host>#0` or `<host>#1` while active, `revoked#<id>` after: the unique index on it is what
   * limits a host to two active tokens, even under concurrent creation (no transactions needed).
   */
  slot: string;
  label?: string;
  createdAt: Date;
  revokedAt?: Date;
}

const schema = new Schema<HostTokenDoc>(
  {
    _id: { type: String, required: true },
    host: { type: String, required: true },
    hash: { type: String, required: true },
    slot: { type: String, required: true },
    label: String,
    createdAt: { type: Date, required: true },
    revokedAt: Date,
  },
  { versionKey: false, bufferCommands: false },
);
// receiver-auth/src/token-store.ts:create: at most two active tokens per host (a constraint, see `slot`).
schema.index({ slot: 1 }, { unique: true });
// receiver-auth/src/token-store.ts:list and retire: a host's tokens (list sorted by createdAt).
schema.index({ host: 1, createdAt: 1 });

export function hostTokenModel(conn: Connection): Model<HostTokenDoc> {
  return conn.models.HostToken ?? conn.model<HostTokenDoc>('HostToken', schema, COLLECTIONS.receiver.hostTokens);
}
