import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { Topics, type HostHealthSnapshot } from '@watchkeeper/contracts';
import { GroupCommit, type Outbox, type OutboxEntry } from '@watchkeeper/outbox';

interface SnapshotDoc {
  /** The host: one document per host, replaced whole, so a reader sees the old or the new report, never a mix. */
  _id: string;
  receivedAt: Date;
  /**
   * The report as JSON text: a host's report may use keys MongoDB-wire servers refuse (`.`, leading
   * `$`), and it is only ever read back whole.
   */
  report: string;
}

const schema = new Schema<SnapshotDoc>(
  { _id: { type: String, required: true }, receivedAt: { type: Date, required: true }, report: { type: String, required: true } },
  { versionKey: false, bufferCommands: false },
);

/**
 * Each host's latest self-check report, stamped with the receiver's clock, plus its host-health event
 * in the outbox. Concurrent saves are written together (group commit): one round trip per batch.
 */
export class HostHealthStore {
  readonly model: Model<SnapshotDoc>;
  private readonly writer: GroupCommit<{ snapshot: HostHealthSnapshot; event: OutboxEntry }>;

  constructor(conn: Connection, private readonly outbox: Outbox) {
    this.model = conn.models.HostHealthSnapshot ?? conn.model<SnapshotDoc>('HostHealthSnapshot', schema, 'host_health');
    this.writer = new GroupCommit(async (items) => {
      // Within one batch only each host's last report can be the latest: earlier ones are replaced
      // before anyone could read them, so they are not written (their events all are).
      const latest = new Map(items.map((i) => [i.snapshot.host, i.snapshot]));
      await Promise.all([
        this.model.bulkWrite(
          [...latest.values()].map((s) => ({
            replaceOne: { filter: { _id: s.host }, replacement: { _id: s.host, receivedAt: new Date(s.receivedAt), report: JSON.stringify(s.report) }, upsert: true },
          })),
          { ordered: true },
        ),
        this.outbox.add(items.map((i) => i.event)),
      ]);
    }, 500);
  }

  /** Resolves once the snapshot and its event are both stored. */
  async save(host: string, report: Record<string, unknown>, receivedAt: Date): Promise<HostHealthSnapshot> {
    const snapshot: HostHealthSnapshot = { host, receivedAt: receivedAt.toISOString(), report };
    const event = this.outbox.entry(Topics.hostHealth, snapshot, { id: randomUUID(), time: receivedAt, subject: host });
    await this.writer.add({ snapshot, event });
    return snapshot;
  }

  async all(): Promise<HostHealthSnapshot[]> {
    const docs = await this.model.find().sort({ _id: 1 }).lean();
    return docs.map((d) => ({ host: d._id, receivedAt: d.receivedAt.toISOString(), report: JSON.parse(d.report) as Record<string, unknown> }));
  }

  async get(host: string): Promise<HostHealthSnapshot | undefined> {
    const d = await this.model.findById(host).lean();
    return d ? { host: d._id, receivedAt: d.receivedAt.toISOString(), report: JSON.parse(d.report) as Record<string, unknown> } : undefined;
  }

  /** Waits for writes in flight (shutdown). */
  idle(): Promise<void> {
    return this.writer.idle();
  }
}
