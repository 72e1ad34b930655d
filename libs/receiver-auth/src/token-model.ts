import { Schema, type Connection, type Model } from 'mongoose';

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
// Serves: at most two active tokens per host (see `slot`).
schema.index({ slot: 1 }, { unique: true });
// Serves: list a host's tokens.
schema.index({ host: 1, createdAt: 1 });

export function hostTokenModel(conn: Connection): Model<HostTokenDoc> {
  return conn.models.HostToken ?? conn.model<HostTokenDoc>('HostToken', schema, 'host_tokens');
}
