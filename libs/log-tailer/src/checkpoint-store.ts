import type { Connection, Model, Schema } from 'mongoose';
import type { FollowPosition } from './file-follower';

/** Where the collector stands in one followed path of one host. */
export interface FileCheckpoint {
  host: string;
  path: string;
  dev: number;
  ino: number;
  fingerprint?: string;
  offset: number;
  /** File size when the checkpoint was taken (for the lost-bytes count should the file be gone). */
  size?: number;
  /** Reader state that must resume together with the offset (e.g. the parser's year clock). */
  state?: Record<string, unknown>;
  updatedAt: Date;
}

/**
 * Built from the connection's own mongoose (`conn.base`), so importing this lib does not load mongoose:
 * the one-shot `count` shares the lib and its start-up time counts in its throughput.
 */
function checkpointSchema(conn: Connection): Schema<FileCheckpoint> {
  const { Schema } = conn.base;
  const schema = new Schema<FileCheckpoint>(
    {
      host: { type: String, required: true },
      path: { type: String, required: true },
      dev: { type: Number, required: true },
      ino: { type: Number, required: true },
      fingerprint: { type: String },
      offset: { type: Number, required: true, min: 0 },
      size: { type: Number },
      state: { type: Schema.Types.Mixed },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'log_collector_checkpoints', versionKey: false, minimize: false },
  );
  // load/save by (host, path): one checkpoint per followed file of a host.
  schema.index({ host: 1, path: 1 }, { unique: true });
  return schema;
}

export function checkpointModel(conn: Connection): Model<FileCheckpoint> {
  return (conn.models.FileCheckpoint as Model<FileCheckpoint> | undefined) ?? conn.model<FileCheckpoint>('FileCheckpoint', checkpointSchema(conn));
}

/** Checkpoints in MongoDB; a save replaces the previous one for the (host, path). */
export class CheckpointStore {
  readonly model: Model<FileCheckpoint>;

  constructor(conn: Connection) {
    this.model = checkpointModel(conn);
  }

  async load(host: string, path: string): Promise<{ position: FollowPosition; state?: Record<string, unknown> } | undefined> {
    const doc = await this.model.findOne({ host, path }).lean();
    if (!doc) return undefined;
    const position: FollowPosition = { identity: { dev: doc.dev, ino: doc.ino, fingerprint: doc.fingerprint ?? undefined }, offset: doc.offset };
    if (typeof doc.size === 'number') position.size = doc.size;
    return { position, state: doc.state ?? undefined };
  }

  async save(host: string, path: string, position: FollowPosition, state?: Record<string, unknown>): Promise<void> {
    const { dev, ino, fingerprint } = position.identity;
    // The driver's collection, not the model: the values have the schema's types already, and
    // mongoose's query casting cost more CPU than the write (one save per batch on the hot path).
    await this.model.collection.updateOne(
      { host, path },
      { $set: { host, path, dev, ino, fingerprint: fingerprint ?? null, offset: position.offset, size: position.size ?? null, state: state ?? {}, updatedAt: new Date() } },
      { upsert: true },
    );
  }
}
