import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { DeliveryRecord } from '@watchkeeper/contracts';
import { emptyOccupancy, type Occupancy } from './admission';
import type { Notification } from './types';

/** A notification waiting for (or being sent to) one recipient. Only live items are here; finished ones move to the log. */
export interface QueueItem {
  _id: string;
  recipient: string;
  /** Where it goes if this recipient dead-letters it (cleared once used). */
  fallback?: string;
  originalRecipient?: string;
  source: string;
  type: string;
  fairRank: number;
  seq: number;
  state: 'queued' | 'inflight';
  attempts: number;
  /** Claimable from then on; for an in-flight item this is the end of its lease. */
  nextAttemptAt: Date;
  claimToken?: string | null;
  lastCause?: string;
  /** Bumped by a dead-letter replay, to tell a replayed item from a leftover of a finished one. */
  generation: number;
  receivedAt: Date;
  notification: Notification;
}

export type FinalOutcome = 'delivered' | 'dead_lettered';

/** A finished notification: the durable answer to "what happened to it". */
export interface LogEntry {
  _id: string;
  recipient: string;
  outcome: FinalOutcome;
  cause?: string;
  attempts: number;
  generation: number;
  receivedAt: Date;
  at: Date;
  latencyMs: number;
  digestId?: string;
  notification: Notification;
  fallback?: string;
}

const queueSchema = new Schema<QueueItem>(
  {
    _id: String,
    recipient: String,
    fallback: String,
    originalRecipient: String,
    source: String,
    type: String,
    fairRank: Number,
    seq: Number,
    state: String,
    attempts: Number,
    nextAttemptAt: Date,
    claimToken: String,
    lastCause: String,
    generation: Number,
    receivedAt: Date,
    notification: { type: Schema.Types.Mixed },
  },
  { versionKey: false, collection: 'delivery_queue', minimize: false },
);
// Serves claim(): a recipient's due items in fair order.
queueSchema.index({ recipient: 1, nextAttemptAt: 1, fairRank: 1, seq: 1 });
// Serves the accounting window.
queueSchema.index({ receivedAt: 1 });

const logSchema = new Schema<LogEntry>(
  {
    _id: String,
    recipient: String,
    outcome: String,
    cause: String,
    attempts: Number,
    generation: Number,
    receivedAt: Date,
    at: Date,
    latencyMs: Number,
    digestId: String,
    notification: { type: Schema.Types.Mixed },
    fallback: String,
  },
  { versionKey: false, collection: 'deliveries', minimize: false },
);
// Serves GET /v1/deliveries (newest first, by recipient/outcome) and the replay of dead letters.
logSchema.index({ at: -1 });
logSchema.index({ outcome: 1, recipient: 1 });
// Serves the accounting window.
logSchema.index({ receivedAt: 1 });

function ignoreDuplicates(err: unknown): void {
  type W = { code?: number; err?: { code?: number } };
  const e = err as W & { writeErrors?: W[] };
  const dups: W[] = e.writeErrors ?? (e.code !== undefined ? [e] : []);
  if (dups.length > 0 && dups.every((w) => (w.code ?? w.err?.code) === 11000)) return;
  throw err;
}

/**
 * Durable per-recipient queues as documents claimed with conditional updates (no transactions, no
 * change streams: FerretDB 1.x). A claim sets a lease; a crashed sender's items come back when it ends.
 */
export class DeliveryStore {
  readonly queue: Model<QueueItem>;
  readonly log: Model<LogEntry>;

  constructor(conn: Connection) {
    this.queue = conn.models.DeliveryQueueItem ?? conn.model<QueueItem>('DeliveryQueueItem', queueSchema);
    this.log = conn.models.DeliveryLogEntry ?? conn.model<LogEntry>('DeliveryLogEntry', logSchema);
  }

  /** Waiting items per recipient, by source and type: what admission control counts against. */
  async occupancy(): Promise<Map<string, Occupancy>> {
    const rows = await this.queue.aggregate<{ _id: { r: string; s: string; t: string }; n: number }>([
      { $group: { _id: { r: '$recipient', s: '$source', t: '$type' }, n: { $sum: 1 } } },
    ]);
    const out = new Map<string, Occupancy>();
    for (const { _id, n } of rows) {
      let o = out.get(_id.r);
      if (!o) out.set(_id.r, (o = emptyOccupancy()));
      o.total += n;
      o.bySource.set(_id.s, (o.bySource.get(_id.s) ?? 0) + n);
      o.byType.set(_id.t, (o.byType.get(_id.t) ?? 0) + n);
    }
    return out;
  }

  /** Inserts new items; ones already queued are left alone and, when `skipFinished`, ones already in the log are not queued again. */
  async enqueue(items: QueueItem[], opts: { skipFinished?: boolean } = {}): Promise<void> {
    if (items.length === 0) return;
    let todo = items;
    if (opts.skipFinished) {
      const done = new Set((await this.log.find({ _id: { $in: items.map((i) => i._id) } }, { _id: 1 }).lean()).map((d) => d._id));
      todo = items.filter((i) => !done.has(i._id));
      if (todo.length === 0) return;
    }
    await this.queue.collection.insertMany(todo as never[], { ordered: false }).catch(ignoreDuplicates);
  }

  /**
   * Claims up to `max` due items of one recipient, lowest fair rank first (round-robin over sources),
   * for `leaseMs`. Leftovers of a finished item (logged, then the process died before removing it)
   * are cleaned up here instead of being sent twice.
   */
  async claim(recipient: string, max: number, leaseMs: number, now = new Date()): Promise<QueueItem[]> {
    const candidates = await this.queue
      .find({ recipient, nextAttemptAt: { $lte: now } }, { _id: 1 })
      .sort({ fairRank: 1, seq: 1 })
      .limit(max)
      .lean();
    if (candidates.length === 0) return [];
    const token = randomUUID();
    const ids = candidates.map((c) => c._id);
    await this.queue.updateMany(
      { _id: { $in: ids }, nextAttemptAt: { $lte: now } },
      { $set: { state: 'inflight', claimToken: token, nextAttemptAt: new Date(now.getTime() + leaseMs) } },
    );
    const claimed = await this.queue.find({ _id: { $in: ids }, claimToken: token }).lean<QueueItem[]>();
    if (claimed.length === 0) return [];
    const logged = await this.log.find({ _id: { $in: claimed.map((c) => c._id) } }, { _id: 1, generation: 1 }).lean();
    if (logged.length === 0) return sortFair(claimed);
    const gen = new Map(logged.map((l) => [l._id, l.generation]));
    const leftovers = claimed.filter((c) => gen.has(c._id) && gen.get(c._id)! >= c.generation).map((c) => c._id);
    const staleLog = claimed.filter((c) => gen.has(c._id) && gen.get(c._id)! < c.generation).map((c) => c._id);
    if (leftovers.length) await this.queue.deleteMany({ _id: { $in: leftovers }, claimToken: token });
    if (staleLog.length) await this.log.deleteMany({ _id: { $in: staleLog } }); // an interrupted replay
    const left = new Set(leftovers);
    return sortFair(claimed.filter((c) => !left.has(c._id)));
  }

  /** Log first, then remove from the queue: a crash in between leaves a leftover that claim() cleans. */
  async finish(items: QueueItem[], outcome: FinalOutcome, extra: { at: Date; cause?: string; digestId?: string; attemptsDelta: number }): Promise<void> {
    if (items.length === 0) return;
    const entries: LogEntry[] = items.map((i) => ({
      _id: i._id,
      // Accounted to the recipient the route named; `fallback` says who took it instead.
      recipient: i.originalRecipient ?? i.recipient,
      outcome,
      ...(extra.cause ? { cause: extra.cause } : {}),
      attempts: i.attempts + extra.attemptsDelta,
      generation: i.generation,
      receivedAt: i.receivedAt,
      at: extra.at,
      latencyMs: Math.max(0, extra.at.getTime() - new Date(i.notification.occurredAt).getTime()),
      ...(extra.digestId ? { digestId: extra.digestId } : {}),
      notification: i.notification,
      ...(i.originalRecipient ? { fallback: i.recipient } : {}),
    }));
    await this.log.collection.insertMany(entries as never[], { ordered: false }).catch(async (err) => {
      ignoreDuplicates(err);
      // Already logged (an earlier run got this far): bring those entries up to date.
      await this.log.bulkWrite(entries.map((e) => ({ replaceOne: { filter: { _id: e._id }, replacement: e } })), { ordered: false });
    });
    await this.queue.deleteMany({ _id: { $in: items.map((i) => i._id) } });
  }

  /** Back into the queue after a failed send, due at `nextAttemptAt`. */
  async reschedule(items: QueueItem[], nextAttemptAt: Date, cause: string): Promise<void> {
    if (items.length === 0) return;
    await this.queue.updateMany(
      { _id: { $in: items.map((i) => i._id) } },
      { $set: { state: 'queued', nextAttemptAt, lastCause: cause, claimToken: null }, $inc: { attempts: 1 } },
    );
  }

  /** Hands items to a fallback recipient, attempts starting over. */
  async moveToFallback(items: QueueItem[], now: Date): Promise<void> {
    if (items.length === 0) return;
    await this.queue.bulkWrite(
      items.map((i) => ({
        updateOne: {
          filter: { _id: i._id },
          update: { $set: { recipient: i.fallback!, originalRecipient: i.recipient, state: 'queued', attempts: 0, nextAttemptAt: now, claimToken: null }, $unset: { fallback: 1 } },
        },
      })),
      { ordered: false },
    );
  }

  async nextDueAt(recipient: string): Promise<Date | undefined> {
    const d = await this.queue.findOne({ recipient }, { nextAttemptAt: 1 }).sort({ nextAttemptAt: 1 }).lean();
    return d?.nextAttemptAt;
  }

  async depth(recipient: string): Promise<number> {
    return this.queue.countDocuments({ recipient });
  }

  /** Dead letters back into their queue (the recipient that gave up on them), attempts starting over. */
  async replayDeadLetters(filter: { recipient?: string; ids?: string[] }, now = new Date()): Promise<number> {
    const q: Record<string, unknown> = { outcome: 'dead_lettered' };
    if (filter.recipient) q.recipient = filter.recipient;
    if (filter.ids) q._id = { $in: filter.ids };
    const letters = await this.log.find(q).lean<LogEntry[]>();
    if (letters.length === 0) return 0;
    const items: QueueItem[] = letters.map((l, i) => ({
      _id: l._id,
      recipient: l.recipient,
      source: `${l.notification.entity.kind}/${l.notification.entity.id}`,
      type: l.notification.type,
      fairRank: 1,
      seq: now.getTime() * 1000 + (i % 1000),
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      claimToken: null,
      generation: l.generation + 1,
      receivedAt: l.receivedAt,
      notification: l.notification,
    }));
    // Queue first, then drop the log entries: in between the item counts as dead-lettered, never twice.
    await this.enqueue(items);
    await this.log.deleteMany({ _id: { $in: items.map((i) => i._id) }, outcome: 'dead_lettered' });
    return items.length;
  }

  /** Finished outcomes and still-waiting items of the notifications received in [from, to), by recipient. */
  async windowCounts(from: Date, to: Date): Promise<Array<{ recipient: string; state: FinalOutcome | 'queued'; n: number }>> {
    const match = { receivedAt: { $gte: from, $lt: to } };
    const finished = await this.log.aggregate<{ _id: { r: string; o: FinalOutcome }; n: number }>([
      { $match: match },
      { $group: { _id: { r: '$recipient', o: '$outcome' }, n: { $sum: 1 } } },
    ]);
    // A finished item is counted by its log entry; its queue leftover (if any) is not counted again.
    const waiting = await this.queue.find(match, { _id: 1, recipient: 1, originalRecipient: 1 }).lean();
    const loggedIds = waiting.length
      ? new Set((await this.log.find({ _id: { $in: waiting.map((w) => w._id) } }, { _id: 1 }).lean()).map((l) => l._id))
      : new Set<string>();
    const queued = new Map<string, number>();
    for (const w of waiting) {
      if (loggedIds.has(w._id)) continue;
      const r = w.originalRecipient ?? w.recipient;
      queued.set(r, (queued.get(r) ?? 0) + 1);
    }
    return [
      ...finished.map((f) => ({ recipient: f._id.r, state: f._id.o, n: f.n })),
      ...[...queued].map(([recipient, n]) => ({ recipient, state: 'queued' as const, n })),
    ];
  }

  async list(filter: { recipient?: string; outcome?: string; alertId?: string; limit: number }): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    if (!filter.outcome || filter.outcome === 'queued') {
      const q: Record<string, unknown> = {};
      if (filter.recipient) q.recipient = filter.recipient;
      if (filter.alertId) q['notification.alertId'] = filter.alertId;
      const items = await this.queue.find(q).sort({ seq: -1 }).limit(filter.limit).lean<QueueItem[]>();
      out.push(...items.map(queueRecord));
    }
    if (filter.outcome !== 'queued') {
      const q: Record<string, unknown> = {};
      if (filter.recipient) q.recipient = filter.recipient;
      if (filter.outcome) q.outcome = filter.outcome;
      if (filter.alertId) q['notification.alertId'] = filter.alertId;
      const entries = await this.log.find(q).sort({ at: -1 }).limit(filter.limit).lean<LogEntry[]>();
      out.push(...entries.map(logRecord));
    }
    return out.slice(0, filter.limit);
  }
}

function sortFair(items: QueueItem[]): QueueItem[] {
  return items.sort((a, b) => a.fairRank - b.fairRank || a.seq - b.seq);
}

function base(n: Notification) {
  return { alertId: n.alertId, fingerprint: n.fingerprint, kind: n.kind, type: n.type, entity: n.entity, severity: n.severity };
}

function queueRecord(i: QueueItem): DeliveryRecord {
  return {
    id: i._id,
    ...base(i.notification),
    recipient: i.recipient,
    state: 'queued',
    ...(i.lastCause ? { cause: i.lastCause } : {}),
    attempts: i.attempts,
    receivedAt: new Date(i.receivedAt).toISOString(),
  };
}

function logRecord(l: LogEntry): DeliveryRecord {
  return {
    id: l._id,
    ...base(l.notification),
    recipient: l.recipient,
    state: l.outcome,
    ...(l.cause ? { cause: l.cause } : {}),
    attempts: l.attempts,
    receivedAt: new Date(l.receivedAt).toISOString(),
    at: new Date(l.at).toISOString(),
    latencyMs: l.latencyMs,
    ...(l.digestId ? { digestId: l.digestId } : {}),
  };
}
