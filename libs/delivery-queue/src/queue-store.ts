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

/** One item of a sent digest, as kept in the delivery log. */
export interface DigestItem {
  id: string;
  alertId: string;
  fingerprint: string;
  kind: Notification['kind'];
  type: string;
  entity: Notification['entity'];
  severity: Notification['severity'];
  occurredAt: string;
  receivedAt: Date;
  attempts: number;
  generation: number;
  /** The recipient the route named (differs from the digest's recipient when a fallback took it). */
  routedTo: string;
}

/** One delivered digest: the durable answer to "what was delivered, when, in which notification". */
export interface DigestLog {
  _id: string;
  recipient: string;
  at: Date;
  items: DigestItem[];
  /** Delivered items by route recipient and receipt time: what accounting reads. */
  counts: Array<{ recipient: string; receivedAt: number; n: number }>;
}

/** A notification that exhausted its attempts (and fallback), kept whole so it can be replayed. */
export interface DeadLetterDoc {
  _id: string;
  recipient: string;
  cause: string;
  at: Date;
  attempts: number;
  generation: number;
  receivedAt: Date;
  notification: Notification;
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

const digestSchema = new Schema<DigestLog>(
  { _id: String, recipient: String, at: Date, items: { type: Schema.Types.Mixed }, counts: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: 'delivery_digests', minimize: false },
);
// Serves GET /v1/deliveries (newest first), accounting windows and pruning.
digestSchema.index({ at: -1 });

const deadSchema = new Schema<DeadLetterDoc>(
  { _id: String, recipient: String, cause: String, at: Date, attempts: Number, generation: Number, receivedAt: Date, notification: { type: Schema.Types.Mixed } },
  { versionKey: false, collection: 'delivery_dead_letters', minimize: false },
);
// Serves replay by recipient and accounting windows.
deadSchema.index({ recipient: 1 });
deadSchema.index({ receivedAt: 1 });

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
 * Delivered items are logged one document per digest (FerretDB reads whole documents, so few large
 * documents scan far faster than many small ones).
 */
export class DeliveryStore {
  readonly queue: Model<QueueItem>;
  readonly digests: Model<DigestLog>;
  readonly dead: Model<DeadLetterDoc>;

  constructor(conn: Connection) {
    this.queue = conn.models.DeliveryQueueItem ?? conn.model<QueueItem>('DeliveryQueueItem', queueSchema);
    this.digests = conn.models.DeliveryDigest ?? conn.model<DigestLog>('DeliveryDigest', digestSchema);
    this.dead = conn.models.DeliveryDeadLetter ?? conn.model<DeadLetterDoc>('DeliveryDeadLetter', deadSchema);
  }

  get models(): Array<Model<any>> {
    return [this.queue, this.digests, this.dead];
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

  /** Inserts new items; an item already queued is left alone. With `skipDeliveredSince`, items logged as delivered since then are not queued again. */
  async enqueue(items: QueueItem[], opts: { skipDeliveredSince?: Date } = {}): Promise<QueueItem[]> {
    let todo = items;
    if (todo.length > 0 && opts.skipDeliveredSince) {
      const done = new Set<string>();
      const logs = await this.digests.find({ at: { $gte: opts.skipDeliveredSince } }, { items: 1 }).lean<DigestLog[]>();
      for (const l of logs) for (const i of l.items) done.add(i.id);
      const dead = await this.dead.find({ _id: { $in: todo.map((i) => i._id) } }, { _id: 1 }).lean();
      for (const d of dead) done.add(d._id);
      todo = todo.filter((i) => !done.has(i._id));
    }
    if (todo.length === 0) return [];
    await this.queue.collection.insertMany(todo as never[], { ordered: false }).catch(ignoreDuplicates);
    return todo;
  }

  /**
   * Claims up to `max` due items of one recipient, lowest fair rank first (round-robin over sources),
   * for `leaseMs`, under `token` (the digest id). An item whose lease ran out is checked against the
   * log of the digest that held it: if that digest was logged (the process died between logging and
   * removing), it is removed now instead of being sent twice.
   */
  async claim(recipient: string, max: number, leaseMs: number, token: string, now = new Date()): Promise<QueueItem[]> {
    const candidates = await this.queue.find({ recipient, nextAttemptAt: { $lte: now } }).sort({ fairRank: 1, seq: 1 }).limit(max).lean<QueueItem[]>();
    if (candidates.length === 0) return [];
    const ids = candidates.map((c) => c._id);
    const r = await this.queue.updateMany(
      { _id: { $in: ids }, nextAttemptAt: { $lte: now } },
      { $set: { state: 'inflight', claimToken: token, nextAttemptAt: new Date(now.getTime() + leaseMs) } },
    );
    // Another instance may have taken some: then read back exactly ours.
    const claimed = r.modifiedCount === candidates.length ? candidates : await this.queue.find({ _id: { $in: ids }, claimToken: token }).lean<QueueItem[]>();
    const expired = claimed.filter((c) => c.state === 'inflight' && c.claimToken);
    if (expired.length === 0) return claimed;
    const leftovers = new Set<string>();
    for (const digestId of new Set(expired.map((c) => c.claimToken!))) {
      const log = await this.digests.findById(digestId, { items: 1 }).lean<DigestLog>();
      const logged = new Map((log?.items ?? []).map((i) => [i.id, i.generation]));
      for (const c of expired) if (c.claimToken === digestId && logged.has(c._id) && logged.get(c._id)! >= c.generation) leftovers.add(c._id);
    }
    if (leftovers.size > 0) await this.queue.deleteMany({ _id: { $in: [...leftovers] }, claimToken: token });
    return claimed.filter((c) => !leftovers.has(c._id));
  }

  /** Log first, then remove from the queue: a crash in between leaves a leftover that claim() removes. */
  async delivered(items: QueueItem[], digestId: string, at: Date): Promise<void> {
    if (items.length === 0) return;
    const counts = new Map<string, { recipient: string; receivedAt: number; n: number }>();
    for (const i of items) {
      const routedTo = i.originalRecipient ?? i.recipient;
      const k = `${routedTo}\u0000${new Date(i.receivedAt).getTime()}`;
      const c = counts.get(k) ?? { recipient: routedTo, receivedAt: new Date(i.receivedAt).getTime(), n: 0 };
      c.n += 1;
      counts.set(k, c);
    }
    const doc: DigestLog = {
      _id: digestId,
      recipient: items[0].recipient,
      at,
      items: items.map((i) => ({
        id: i._id,
        alertId: i.notification.alertId,
        fingerprint: i.notification.fingerprint,
        kind: i.notification.kind,
        type: i.notification.type,
        entity: i.notification.entity,
        severity: i.notification.severity,
        occurredAt: i.notification.occurredAt,
        receivedAt: i.receivedAt,
        attempts: i.attempts + 1,
        generation: i.generation,
        routedTo: i.originalRecipient ?? i.recipient,
      })),
      counts: [...counts.values()],
    };
    await this.digests.collection.insertOne(doc as never).catch(ignoreDuplicates);
    await this.queue.deleteMany({ _id: { $in: items.map((i) => i._id) } });
  }

  /** Out of the queue into the dead letters (kept whole for replay). */
  async deadLetter(items: QueueItem[], cause: string, at: Date): Promise<void> {
    if (items.length === 0) return;
    const docs: DeadLetterDoc[] = items.map((i) => ({
      _id: i._id,
      recipient: i.originalRecipient ?? i.recipient,
      cause,
      at,
      attempts: i.attempts + 1,
      generation: i.generation,
      receivedAt: i.receivedAt,
      notification: i.notification,
    }));
    await this.dead.collection.insertMany(docs as never[], { ordered: false }).catch(ignoreDuplicates);
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

  /** Dead letters back into the queue of the recipient that gave up on them, attempts starting over. */
  async replayDeadLetters(filter: { recipient?: string; ids?: string[] }, now = new Date()): Promise<QueueItem[]> {
    const q: Record<string, unknown> = {};
    if (filter.recipient) q.recipient = filter.recipient;
    if (filter.ids) q._id = { $in: filter.ids };
    const letters = await this.dead.find(q).lean<DeadLetterDoc[]>();
    if (letters.length === 0) return [];
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
    // Queue first, then remove the dead letters: in between an item counts as dead-lettered only
    // (accounting skips queued items that still have a dead letter), never twice, never lost.
    await this.enqueue(items);
    await this.dead.deleteMany({ _id: { $in: items.map((i) => i._id) } });
    return items;
  }

  /** Delivered, dead-lettered and still-waiting notifications among those received in [from, to), by route recipient. */
  async windowCounts(from: Date, to: Date): Promise<Array<{ recipient: string; state: FinalOutcome | 'queued'; n: number }>> {
    const out = new Map<string, { recipient: string; state: FinalOutcome | 'queued'; n: number }>();
    const add = (recipient: string, state: FinalOutcome | 'queued', n: number) => {
      const k = `${recipient}\u0000${state}`;
      const row = out.get(k) ?? { recipient, state, n: 0 };
      row.n += n;
      out.set(k, row);
    };
    const f = from.getTime();
    const t = to.getTime();
    // Delivered after receipt, so digests logged before `from` cannot hold any of them.
    const digests = await this.digests.find({ at: { $gte: from } }, { counts: 1 }).lean<DigestLog[]>();
    for (const d of digests) for (const c of d.counts) if (c.receivedAt >= f && c.receivedAt < t) add(c.recipient, 'delivered', c.n);
    const dead = await this.dead.find({ receivedAt: { $gte: from, $lt: to } }, { _id: 1, recipient: 1 }).lean();
    const deadIds = new Set(dead.map((d) => d._id));
    for (const d of dead) add(d.recipient, 'dead_lettered', 1);
    const waiting = await this.queue.find({ receivedAt: { $gte: from, $lt: to } }, { _id: 1, recipient: 1, originalRecipient: 1, state: 1, claimToken: 1, generation: 1 }).lean<QueueItem[]>();
    const leftovers = new Set<string>();
    for (const digestId of new Set(waiting.filter((w) => w.state === 'inflight' && w.claimToken).map((w) => w.claimToken!))) {
      const log = await this.digests.findById(digestId, { items: 1 }).lean<DigestLog>();
      for (const i of log?.items ?? []) leftovers.add(i.id);
    }
    for (const w of waiting) {
      if (deadIds.has(w._id) || leftovers.has(w._id)) continue; // counted by its dead letter or its digest
      add(w.originalRecipient ?? w.recipient, 'queued', 1);
    }
    return [...out.values()];
  }

  async list(filter: { recipient?: string; outcome?: string; alertId?: string; limit: number; since: Date }): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    const match = (n: { alertId: string }, routedTo: string) => (!filter.alertId || n.alertId === filter.alertId) && (!filter.recipient || routedTo === filter.recipient);
    if (!filter.outcome || filter.outcome === 'queued') {
      const items = await this.queue.find(filter.recipient ? { recipient: filter.recipient } : {}).sort({ seq: -1 }).limit(filter.alertId ? 100_000 : filter.limit).lean<QueueItem[]>();
      out.push(...items.filter((i) => match(i.notification, i.recipient)).map(queueRecord));
    }
    if (!filter.outcome || filter.outcome === 'delivered') {
      const logs = await this.digests.find({ at: { $gte: filter.since } }).sort({ at: -1 }).lean<DigestLog[]>();
      for (const l of logs) {
        for (const i of l.items) if (match(i, i.routedTo)) out.push(digestRecord(l, i));
        if (out.length >= filter.limit) break;
      }
    }
    if (!filter.outcome || filter.outcome === 'dead_lettered') {
      const q: Record<string, unknown> = {};
      if (filter.recipient) q.recipient = filter.recipient;
      const dead = await this.dead.find(q).sort({ at: -1 }).limit(filter.alertId ? 100_000 : filter.limit).lean<DeadLetterDoc[]>();
      out.push(...dead.filter((d) => match(d.notification, d.recipient)).map(deadRecord));
    }
    return out.slice(0, filter.limit);
  }

  /** Retention in code (FerretDB has no TTL indexes). */
  async pruneBefore(before: Date): Promise<void> {
    await this.digests.deleteMany({ at: { $lt: before } });
  }
}

function base(n: Pick<Notification, 'alertId' | 'fingerprint' | 'kind' | 'type' | 'entity' | 'severity'>) {
  return { alertId: n.alertId, fingerprint: n.fingerprint, kind: n.kind, type: n.type, entity: n.entity, severity: n.severity };
}

function queueRecord(i: QueueItem): DeliveryRecord {
  return {
    id: i._id,
    ...base(i.notification),
    recipient: i.originalRecipient ?? i.recipient,
    state: 'queued',
    ...(i.lastCause ? { cause: i.lastCause } : {}),
    attempts: i.attempts,
    receivedAt: new Date(i.receivedAt).toISOString(),
  };
}

function digestRecord(l: DigestLog, i: DigestItem): DeliveryRecord {
  return {
    id: i.id,
    ...base(i),
    recipient: i.routedTo,
    state: 'delivered',
    ...(i.routedTo !== l.recipient ? { cause: `via fallback ${l.recipient}` } : {}),
    attempts: i.attempts,
    receivedAt: new Date(i.receivedAt).toISOString(),
    at: new Date(l.at).toISOString(),
    latencyMs: Math.max(0, new Date(l.at).getTime() - Date.parse(i.occurredAt)),
    digestId: l._id,
  };
}

function deadRecord(d: DeadLetterDoc): DeliveryRecord {
  return {
    id: d._id,
    ...base(d.notification),
    recipient: d.recipient,
    state: 'dead_lettered',
    cause: d.cause,
    attempts: d.attempts,
    receivedAt: new Date(d.receivedAt).toISOString(),
    at: new Date(d.at).toISOString(),
  };
}
