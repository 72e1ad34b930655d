import { Schema, type Connection, type Model } from 'mongoose';
import { COLLECTIONS } from '../collections';

export interface ArtifactDoc {
  /** `<host>/<name>`: a name is written once per host (same content again is a no-op). */
  _id: string;
  host: string;
  name: string;
  sha256: string;
  size: number;
  storedAt: Date;
  codeCommit?: string;
  kind?: string;
  encoding?: string;
}

const schema = new Schema<ArtifactDoc>(
  {
    _id: { type: String, required: true },
    host: { type: String, required: true },
    name: { type: String, required: true },
    sha256: { type: String, required: true },
    size: { type: Number, required: true },
    storedAt: { type: Date, required: true },
    codeCommit: String,
    kind: String,
    encoding: String,
  },
  { versionKey: false, bufferCommands: false },
);
// artifact-store/src/artifact-store.ts:list: a host's artifacts, newest first.
schema.index({ host: 1, storedAt: -1 });

export function artifactModel(conn: Connection): Model<ArtifactDoc> {
  return conn.models.Artifact ?? conn.model<ArtifactDoc>('Artifact', schema, COLLECTIONS.receiver.artifacts);
}
