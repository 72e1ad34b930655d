import type { Connection, Model, Schema } from 'mongoose';
import { COLLECTIONS } from '../collections';

// Schemas here are built from the connection's own mongoose (`conn.base`), so importing this entry does
// not load mongoose: the one-shot `count` shares log-tailer and its start-up time counts in its throughput.

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
    { collection: COLLECTIONS.logCollector.fileCheckpoints, versionKey: false, minimize: false },
  );
  // log-tailer/src/checkpoint-store.ts:load and save: one checkpoint per followed file of a host (unique).
  schema.index({ host: 1, path: 1 }, { unique: true });
  return schema;
}

export function checkpointModel(conn: Connection): Model<FileCheckpoint> {
  return (conn.models.FileCheckpoint as Model<FileCheckpoint> | undefined) ?? conn.model<FileCheckpoint>('FileCheckpoint', checkpointSchema(conn));
}

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
    { collection: COLLECTIONS.logCollector.journalCursors, versionKey: false, minimize: false },
  );
  // log-tailer/src/journal-cursor-store.ts:load and save: one cursor per (host, journal source) (unique).
  schema.index({ host: 1, source: 1 }, { unique: true });
  return schema;
}

export function journalCheckpointModel(conn: Connection): Model<JournalCheckpoint> {
  return (conn.models.JournalCheckpoint as Model<JournalCheckpoint> | undefined) ?? conn.model<JournalCheckpoint>('JournalCheckpoint', journalCheckpointSchema(conn));
}
