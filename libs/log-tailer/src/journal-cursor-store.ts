import type { Connection, Model } from 'mongoose';
import { journalCheckpointModel, type JournalCheckpoint } from '@watchkeeper/dal/log-collector';

/** Journal cursors in MongoDB; a save replaces the previous one for the (host, source). */
export class JournalCursorStore {
  readonly model: Model<JournalCheckpoint>;

  constructor(conn: Connection) {
    this.model = journalCheckpointModel(conn);
  }

  async load(host: string, source: string): Promise<{ cursor: string; state?: Record<string, unknown> } | undefined> {
    const doc = await this.model.findOne({ host, source }).lean();
    return doc ? { cursor: doc.cursor, state: doc.state ?? undefined } : undefined;
  }

  async save(host: string, source: string, cursor: string, state?: Record<string, unknown>): Promise<void> {
    await this.model.updateOne({ host, source }, { $set: { host, source, cursor, state: state ?? {}, updatedAt: new Date() } }, { upsert: true });
  }
}
