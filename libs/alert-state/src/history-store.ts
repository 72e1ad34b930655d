import { Schema, type Connection, type Model } from 'mongoose';
import type { AlertEvent, AlertHistoryEntry } from '@watchkeeper/contracts';
import { isDuplicateKey } from '@watchkeeper/mongo';
import type { Decision } from './transition';

/** What happened to the alert at one recipient when it was received. */
export interface FanoutEntry {
  recipient: string;
  state: 'queued' | 'dropped' | 'silenced';
  cause?: string;
  fallback?: string;
}

/** Every alert event received, with the decision taken and where it was routed: the built-in store. */
export interface HistoryRecord {
  eventId: string;
  fingerprint: string;
  event: AlertEvent;
  receivedAt: Date;
  decision: Decision;
  fanout: FanoutEntry[];
  kafka: { partition: number; offset: string };
}

type HistoryDoc = Omit<HistoryRecord, 'eventId'> & { _id: string };

const historySchema = new Schema<HistoryDoc>(
  {
    _id: String,
    fingerprint: String,
    event: { type: Schema.Types.Mixed },
    receivedAt: Date,
    decision: { type: Schema.Types.Mixed },
    fanout: { type: Schema.Types.Mixed },
    kafka: { _id: false, partition: Number, offset: String },
  },
  { versionKey: false, collection: 'alert_history', minimize: false },
);
// Serves recent() and the accounting window scan.
historySchema.index({ receivedAt: -1 });
// Serves lookups of one alert's story.
historySchema.index({ fingerprint: 1, receivedAt: -1 });

export class AlertHistoryStore {
  readonly model: Model<HistoryDoc>;

  constructor(conn: Connection) {
    this.model = conn.models.AlertHistory ?? conn.model<HistoryDoc>('AlertHistory', historySchema);
  }

  async find(eventIds: string[]): Promise<Map<string, HistoryRecord>> {
    const out = new Map<string, HistoryRecord>();
    if (eventIds.length === 0) return out;
    const docs = await this.model.find({ _id: { $in: eventIds } }).lean<HistoryDoc[]>();
    for (const d of docs) out.set(d._id, fromDoc(d));
    return out;
  }

  /**
   * Idempotent: a record already stored (a redelivered event) is left as it was, and its event id is
   * returned so the caller uses the stored decision instead of a new one.
   */
  async insertNew(records: HistoryRecord[]): Promise<Set<string>> {
    const duplicates = new Set<string>();
    if (records.length === 0) return duplicates;
    try {
      await this.model.collection.insertMany(records.map(({ eventId, ...r }) => ({ _id: eventId, ...r })) as never[], { ordered: false });
    } catch (err) {
      type W = { code?: number; index?: number; err?: { code?: number; index?: number } };
      const e = err as W & { writeErrors?: W[] };
      const writeErrors: W[] = e.writeErrors ?? [];
      if (writeErrors.length === 0 || !writeErrors.every((w) => isDuplicateKey(w.err ?? w))) throw err;
      for (const w of writeErrors) {
        const index = w.index ?? w.err?.index;
        if (index === undefined) throw err;
        duplicates.add(records[index].eventId);
      }
    }
    return duplicates;
  }

  async recent(limit = 100): Promise<HistoryRecord[]> {
    const docs = await this.model.find({}).sort({ receivedAt: -1 }).limit(limit).lean<HistoryDoc[]>();
    return docs.map(fromDoc);
  }

  /** Fan-out counts of the alerts received in [from, to), by recipient and state (and cause for drops). */
  async fanoutCounts(from: Date, to: Date): Promise<{ alerts: number; counts: Array<{ recipient: string; state: string; cause?: string; n: number }> }> {
    const match = { receivedAt: { $gte: from, $lt: to } };
    const alerts = await this.model.countDocuments(match);
    const rows = await this.model.aggregate<{ _id: { recipient: string; state: string; cause?: string }; n: number }>([
      { $match: match },
      { $project: { fanout: 1 } },
      { $unwind: '$fanout' },
      { $group: { _id: { recipient: '$fanout.recipient', state: '$fanout.state', cause: '$fanout.cause' }, n: { $sum: 1 } } },
    ]);
    return { alerts, counts: rows.map((r) => ({ recipient: r._id.recipient, state: r._id.state, cause: r._id.cause ?? undefined, n: r.n })) };
  }

  /** Retention in code (FerretDB has no TTL indexes). */
  async pruneBefore(before: Date): Promise<number> {
    const r = await this.model.deleteMany({ receivedAt: { $lt: before } });
    return r.deletedCount ?? 0;
  }
}

function fromDoc(d: HistoryDoc): HistoryRecord {
  const { _id, ...rest } = d;
  return { eventId: _id, ...rest };
}

export function toHistoryEntry(r: HistoryRecord): AlertHistoryEntry {
  const e = r.event;
  return {
    eventId: r.eventId,
    alertId: e.id,
    action: e.action,
    fingerprint: r.fingerprint,
    type: e.type,
    entity: e.entity,
    labels: e.labels ?? {},
    severity: e.severity,
    ...(e.summary ? { summary: e.summary } : {}),
    source: e.source,
    occurredAt: e.occurredAt,
    receivedAt: new Date(r.receivedAt).toISOString(),
    notified: r.decision.notify,
    reason: r.decision.reason,
    ...(r.decision.durationMs !== undefined ? { durationMs: r.decision.durationMs } : {}),
    recipients: r.fanout.map((f) => ({ recipient: f.recipient, state: f.state, ...(f.cause ? { cause: f.cause } : {}) })),
  };
}
