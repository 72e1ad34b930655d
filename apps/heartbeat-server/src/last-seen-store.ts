import { Schema, type Connection, type Model, type mongo } from 'mongoose';
import { bulkWriteChunked } from '@watchkeeper/mongo';
import type { LastSeenStore, PersistedListener } from '@watchkeeper/heartbeat';
import type { ListenerState } from '@watchkeeper/contracts';

interface ListenerDoc {
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

/**
 * One document per (server, node, listener), written by _id upserts. Read once at start by `server`:
 * { server: 1 } serves that query.
 */
const listenerSchema = new Schema<ListenerDoc>(
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
  { collection: 'heartbeat_listeners', versionKey: false },
);
listenerSchema.index({ server: 1 });

export function heartbeatListenerModel(conn: Connection): Model<ListenerDoc> {
  return conn.models.HeartbeatListener ?? conn.model<ListenerDoc>('HeartbeatListener', listenerSchema);
}

export class MongoLastSeenStore implements LastSeenStore {
  constructor(private readonly model: Model<ListenerDoc>, private readonly server: string) {}

  private key(node: string, id: string): string {
    return `${this.server}|${node}|${id}`;
  }

  async load(): Promise<PersistedListener[]> {
    const docs = await this.model.find({ server: this.server }).lean();
    return docs.map((d) => ({ node: d.node, id: d.listenerId, expected: d.expected, state: d.state, alertOpen: d.alertOpen, lastSeenAtMs: d.lastSeenAt ? d.lastSeenAt.getTime() : null }));
  }

  async save(list: PersistedListener[]): Promise<void> {
    const now = new Date();
    // Straight to the driver: the values are already typed, so mongoose's per-operation casting of up to
    // one upsert per listener (2,000 in the benchmark) each persist interval is work for nothing.
    // In chunks: FerretDB 1.x hangs on an update command of 100+ statements that match stored documents.
    const collection = this.model.collection as unknown as mongo.Collection<ListenerDoc>;
    await bulkWriteChunked(
      list.map((l) => ({
        updateOne: {
          filter: { _id: this.key(l.node, l.id) },
          update: {
            $set: { server: this.server, node: l.node, listenerId: l.id, expected: l.expected, state: l.state, alertOpen: l.alertOpen, lastSeenAt: l.lastSeenAtMs === null ? null : new Date(l.lastSeenAtMs), updatedAt: now },
          },
          upsert: true,
        },
      })),
      (chunk) => collection.bulkWrite(chunk, { ordered: false }),
    );
  }
}
