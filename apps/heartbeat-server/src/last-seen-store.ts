import type { Model, mongo } from 'mongoose';
import type { ListenerDoc } from '@watchkeeper/dal/heartbeat-server';
import { bulkWriteChunked } from '@watchkeeper/mongo';
import type { LastSeenStore, PersistedListener } from '@watchkeeper/heartbeat';

/** A server's listeners in MongoDB: read once at start (by `server`), saved as one _id upsert per listener. */
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
