import { Schema, type Connection, type Model } from 'mongoose';
import type { ListenerState } from '@watchkeeper/contracts';
import { COLLECTIONS } from '../collections';

/** One heartbeat listener of one server (`_id`: `<server>|<node>|<listener>`), written by _id upserts. */
export interface ListenerDoc {
  _id: string;
  server: string;
  node: string;
  listenerId: string;
  expected: boolean;
  state: ListenerState;
  alertOpen: boolean;
  lastSeenAt: Date | null;
  updatedAt: Date;
}

const schema = new Schema<ListenerDoc>(
  {
    _id: { type: String, required: true },
    server: { type: String, required: true },
    node: { type: String, required: true },
    listenerId: { type: String, required: true },
    expected: { type: Boolean, required: true },
    state: { type: String, required: true },
    alertOpen: { type: Boolean, required: true },
    lastSeenAt: { type: Date, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: COLLECTIONS.heartbeatServer.listeners, versionKey: false },
);
// apps/heartbeat-server/src/last-seen-store.ts:load: a server's listeners, read once at start.
schema.index({ server: 1 });

export function heartbeatListenerModel(conn: Connection): Model<ListenerDoc> {
  return conn.models.HeartbeatListener ?? conn.model<ListenerDoc>('HeartbeatListener', schema);
}
