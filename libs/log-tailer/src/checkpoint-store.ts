import type { Connection, Model } from 'mongoose';
import { checkpointModel, type FileCheckpoint } from '@watchkeeper/dal/log-collector';
import type { FollowPosition } from './file-follower';

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
