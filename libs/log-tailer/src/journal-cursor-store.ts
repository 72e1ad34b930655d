import type { Connection, Model, Schema } from 'mongoose';

/** Where the collector stands in one journal source of one host: the cursor of the last delivered entry. */
export interface JournalCheckpoint {
  host: string;
  /** Which journal (e.g. "journald:system", "journald:dir=/var/log/journal/remote"). */
  source: string;
  cursor: string;
  /** Reader state that must resume together with the cursor. */
  state?: Record<string, unknown>;
  updatedAt: Date;
}

/** Built from the connection's own mongoose, like the file checkpoints (importing the lib loads no mongoose). */
function journalCheckpointSchema(conn: Connection): Schema<JournalCheckpoint> {
  const { Schema } = conn.base;
  const schema = new Schema<JournalCheckpoint>(
    {
      host: { type: String, required: true },
      source: { type: String, required: true },
      cursor: { type: String, required: true },
      state: { type: Schema.Types.Mixed },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'log_collector_journal_cursors', versionKey: false, minimize: false },
  );
  schema.index({ host: 1, source: 1 }, { unique: true });
  return schema;
}

/** Journal cursors in MongoDB; a save replaces the previous one for the (host, source). */
export class JournalCursorStore {
  readonly model: Model<JournalCheckpoint>;

  constructor(conn: Connection) {
    this.model =
      (conn.models.JournalCheckpoint as Model<JournalCheckpoint> | undefined) ?? conn.model<JournalCheckpoint>('JournalCheckpoint', journalCheckpointSchema(conn));
  }

  async load(host: string, source: string): Promise<{ cursor: string; state?: Record<string, unknown> } | undefined> {
    const doc = await this.model.findOne({ host, source }).lean();
    return doc ? { cursor: doc.cursor, state: doc.state ?? undefined } : undefined;
  }

  async save(host: string, source: string, cursor: string, state?: Record<string, unknown>): Promise<void> {
    await this.model.updateOne({ host, source }, { $set: { host, source, cursor, state: state ?? {}, updatedAt: new Date() } }, { upsert: true });
  }
}
