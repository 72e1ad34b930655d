import { randomUUID } from 'node:crypto';
import type { Connection, Model, mongo } from 'mongoose';
import type { DeliveryRecord } from '@watchkeeper/contracts';
import { ALERT_DISPATCHER_DAY_COLLECTIONS as DAY, alertDispatcherDayOf, dayOfBucket } from '@watchkeeper/dal';
import { deadLetterModel, deliverySegmentModel } from '@watchkeeper/dal/alert-dispatcher';
import { bulkWriteChunked, collectionNames, insertAllOnce, insertReportingDuplicates, replaceAllById, utcDayKey } from '@watchkeeper/mongo';
import { digestItems, refsOf, type DeadLetterDoc, type DigestLog, type SegmentDoc, type SettleRef } from './delivery-docs';
import { deadRecord, digestRecord, queueRecord } from './records';
import type { Notification, QueueItem } from './types';

export type FinalOutcome = 'delivered' | 'dead_lettered';

/** One segment as loaded: what the settle book tracks. */
export interface OpenSegment {
  id: string;
  partition: number;
  count: number;
  /** Settled positions, including those recovered from digests, dead letters and fallbacks. */
  settled: number[];
  /** Settled positions the segment document itself does not list yet (a settle write lost to a crash). */
  recovered: number[];
}

export interface OpenFilter {
  partitions?: number[];
  ids?: string[];
  /** Per partition, the last fully ingested offset: a chunk's segment past it is still being written (its redelivery rewrites it). */
  through?: Map<number, bigint | null>;
}

type StoredItem = Omit<QueueItem, 'segment' | 'index' | 'receivedAt'> & { receivedAt: string | Date };

/**
 * Rebuilds the items of segments written by reference (`ref`: the consumed chunk's history holds the
 * alerts), by segment id, in segment order. A segment it cannot rebuild is left out of the answer.
 */
export type SegmentExpander = (segs: Array<Pick<SegmentDoc, '_id' | 'recipient' | 'bucket'>>) => Promise<Map<string, Array<Omit<QueueItem, 'segment' | 'index'>>>>;

/**
 * Durable per-recipient queues as segments: items written together (a consumed chunk, a fallback
 * hand-over, a replay) are one document, written once. Progress is recorded per segment in coalesced
 * settle writes, and a segment is deleted when all its items are settled. The working set lives in
 * memory (RecipientQueue); MongoDB is touched per batch, never per item.
 *
 * A settle write may be lost to a crash; the records that settle items (digest log, dead letters,
 * fallback segments) name the segment positions they settled, so loading recovers them: nothing
 * delivered is queued again, and accounting counts each item once.
 */
export class DeliveryStore {
  readonly segments: Model<SegmentDoc>;
  readonly dead: Model<DeadLetterDoc>;

  /** Set by the owner of the history (the dispatcher engine) before segments written by reference are loaded. */
  expander: SegmentExpander | undefined;

  constructor(private readonly conn: Connection) {
    this.segments = deliverySegmentModel(conn);
    this.dead = deadLetterModel<Notification>(conn);
  }

  /** Models whose indexes are built at start (the digest log is in per-day collections, read whole or by day). */
  get models(): Array<Model<any>> {
    return [this.segments, this.dead];
  }

  /** The delivery log of one UTC day (`yyyymmdd`, the day of the delivery). */
  digests(day: string): mongo.Collection<DigestLog> {
    return this.conn.db!.collection<DigestLog>(DAY.digests(day));
  }

  /** Days of the delivery log from `fromDay` on (those that exist), oldest first: one listCollections. */
  private async digestDays(fromDay: string): Promise<string[]> {
    return (await collectionNames(this.conn.db!))
      .map(alertDispatcherDayOf)
      .filter((d) => d?.kind === 'digests' && d.day >= fromDay)
      .map((d) => d!.day)
      .sort();
  }

  private async findDigests(fromDay: string, filter: mongo.Filter<DigestLog>, projection?: mongo.Document): Promise<DigestLog[]> {
    const out: DigestLog[] = [];
    for (const day of await this.digestDays(fromDay)) out.push(...(await this.digests(day).find(filter, projection ? { projection } : {}).toArray()));
    return out;
  }

  /** A segment document for `items` (given their segment id and position). */
  static segment(id: string, recipient: string, partition: number, items: QueueItem[], now: Date, extra: Pick<SegmentDoc, 'bucket' | 'offset' | 'from' | 'ref'> = {}): SegmentDoc {
    items.forEach((i, n) => {
      i.segment = id;
      i.index = n;
    });
    if (extra.ref && !extra.bucket) throw new Error(`segment ${id}: a segment by reference needs its history bucket`);
    return {
      _id: id,
      recipient,
      partition,
      ...extra,
      ...(extra.from ? { fromSegs: extra.from.map((r) => r.seg) } : {}),
      createdAt: now,
      count: items.length,
      items: extra.ref ? '' : JSON.stringify(items.map(({ segment: _s, index: _i, ...rest }) => rest)),
      settled: [],
    };
  }

  /** The stored items of each segment: parsed, or rebuilt from the history for segments by reference. */
  private async itemsOf(docs: SegmentDoc[]): Promise<Map<string, StoredItem[]>> {
    const out = new Map<string, StoredItem[]>();
    const refs = docs.filter((d) => d.ref);
    if (refs.length > 0) {
      if (!this.expander) throw new Error('segments written by reference need an expander (the history) to be loaded');
      const rebuilt = await this.expander(refs);
      for (const d of refs) {
        const items = rebuilt.get(d._id);
        // Never silently shorter: a segment whose history is missing or different stops the load (retried, logged).
        if (!items || items.length !== d.count) throw new Error(`segment ${d._id}: its history bucket ${d.bucket} holds ${items?.length ?? 'no'} items of the ${d.count} written`);
        out.set(d._id, items);
      }
    }
    for (const d of docs) if (!d.ref) out.set(d._id, JSON.parse(d.items) as StoredItem[]);
    return out;
  }

  /** History buckets that open segments still refer to (retention keeps them). */
  async referencedBuckets(): Promise<string[]> {
    const docs = await this.segments.find({ ref: true }, { bucket: 1 }).lean<SegmentDoc[]>();
    return [...new Set(docs.map((d) => d.bucket!).filter(Boolean))];
  }

  /** A consumed chunk's segments: written (or rewritten, when the chunk is redelivered) in one call. */
  async saveChunkSegments(segs: SegmentDoc[]): Promise<void> {
    await replaceAllById(this.segments, segs);
  }

  /** A chunk interrupted by a crash: its segments go, its redelivery writes them again. */
  async dropChunkSegments(bucket: string): Promise<void> {
    await this.segments.deleteMany({ bucket });
  }

  /** Coalesced progress: positions settled per segment; a complete segment is deleted. */
  async settle(updates: Array<{ seg: string; idx: number[]; complete: boolean }>): Promise<void> {
    if (updates.length === 0) return;
    // In chunks: FerretDB 1.x hangs on an update command of 100+ statements that match stored documents.
    await bulkWriteChunked(
      updates.map((u) =>
        u.complete
          ? { deleteOne: { filter: { _id: u.seg as never } } }
          : { updateOne: { filter: { _id: u.seg as never }, update: { $addToSet: { settled: { $each: u.idx } } } as never } },
      ),
      (chunk) => this.segments.collection.bulkWrite(chunk, { ordered: false }),
    );
  }

  /** Segment ids of these partitions (cheap: for discovering segments written elsewhere). */
  async segmentIds(partitions: number[]): Promise<string[]> {
    const docs = await this.segments.find({ partition: { $in: partitions } }, { _id: 1 }).lean();
    return docs.map((d) => d._id);
  }

  /**
   * Unsettled items of the matching segments, with what settled them elsewhere recovered. A replay
   * segment whose dead letters still exist is left out (its replay is not finished yet: the letters
   * count, and a later load takes it).
   */
  async open(filter: OpenFilter = {}, reconcile = true): Promise<{ items: QueueItem[]; segments: OpenSegment[] }> {
    const q: Record<string, unknown> = {};
    if (filter.partitions) q.partition = { $in: filter.partitions };
    if (filter.ids) q._id = { $in: filter.ids };
    let docs = await this.segments.find(q).lean<SegmentDoc[]>();
    if (filter.through) {
      docs = docs.filter((d) => {
        if (d.offset === undefined || d.offset === null || !filter.through!.has(d.partition)) return true;
        const t = filter.through!.get(d.partition);
        return t !== null && t !== undefined && BigInt(d.offset) <= t;
      });
    }
    const parsed = await this.itemsOf(docs);
    const settled = new Map(docs.map((d) => [d._id, new Set(d.settled ?? [])]));
    const recovered = new Map<string, number[]>();
    const mark = (refs: SettleRef[]) => {
      for (const r of refs) {
        const s = settled.get(r.seg);
        if (!s) continue;
        for (const i of r.idx) {
          if (s.has(i)) continue;
          s.add(i);
          const list = recovered.get(r.seg) ?? [];
          list.push(i);
          recovered.set(r.seg, list);
        }
      }
    };
    if (reconcile && docs.length > 0) {
      const ids = docs.map((d) => d._id);
      const [logs, letters, takers] = await Promise.all([
        // Digests settling a segment were delivered after its chunk was first received (or the segment was written).
        this.findDigests(docs.map(firstDayOf).sort()[0], { segs: { $in: ids } }, { refs: 1 }),
        this.dead.find({ seg: { $in: ids } }, { seg: 1, idx: 1 }).lean<DeadLetterDoc[]>(),
        this.segments.find({ fromSegs: { $in: ids } }, { from: 1 }).lean<SegmentDoc[]>(),
      ]);
      for (const l of logs) mark(l.refs ?? []);
      mark(letters.filter((l) => l.seg !== undefined && l.idx !== undefined).map((l) => ({ seg: l.seg!, idx: [l.idx!] })));
      for (const t of takers) mark(t.from ?? []);
      const replayIds = docs.filter((d) => d._id.startsWith('replay:')).flatMap((d) => parsed.get(d._id)!.map((i) => i._id));
      if (replayIds.length > 0) {
        const unfinished = new Set((await this.dead.find({ _id: { $in: replayIds } }, { _id: 1 }).lean()).map((d) => d._id));
        docs = docs.filter((d) => !d._id.startsWith('replay:') || !parsed.get(d._id)!.some((i) => unfinished.has(i._id)));
      }
    }
    const items: QueueItem[] = [];
    const segments: OpenSegment[] = [];
    for (const d of docs) {
      const s = settled.get(d._id)!;
      segments.push({ id: d._id, partition: d.partition, count: d.count, settled: [...s], recovered: recovered.get(d._id) ?? [] });
      parsed.get(d._id)!.forEach((i, index) => {
        if (!s.has(index)) items.push({ ...i, receivedAt: new Date(i.receivedAt), segment: d._id, index });
      });
    }
    return { items, segments };
  }

  /** Items of this recipient's segments not yet settled there (lags the memory by one settle interval). */
  async depth(recipient: string): Promise<number> {
    const docs = await this.segments.find({ recipient }, { count: 1, settled: 1 }).lean<SegmentDoc[]>();
    return docs.reduce((n, d) => n + d.count - (d.settled?.length ?? 0), 0);
  }

  /** Logs a delivered digest with the segment positions it settles (settling itself is coalesced by the caller). */
  async delivered(items: QueueItem[], digestId: string, at: Date): Promise<void> {
    if (items.length === 0) return;
    const counts = new Map<string, { recipient: string; receivedAt: number; n: number }>();
    // A digest's items mostly share their receipt time (one consumed chunk): each time converted once.
    const iso = lastIso();
    let last: { recipient: string; receivedAt: number; n: number } | undefined;
    for (const i of items) {
      const routedTo = i.originalRecipient ?? i.recipient;
      const t = timeOf(i.receivedAt);
      if (last && last.receivedAt === t && last.recipient === routedTo) {
        last.n += 1;
        continue;
      }
      const k = `${routedTo}\u0000${t}`;
      last = counts.get(k) ?? { recipient: routedTo, receivedAt: t, n: 0 };
      last.n += 1;
      counts.set(k, last);
    }
    const refs = refsOf(items);
    const doc: DigestLog = {
      _id: digestId,
      recipient: items[0].recipient,
      at,
      // receivedAt as JSON.stringify writes a Date (its ISO text).
      items: JSON.stringify(items.map((i) => ({
        id: i._id,
        alertId: i.notification.alertId,
        fingerprint: i.notification.fingerprint,
        kind: i.notification.kind,
        type: i.notification.type,
        entity: i.notification.entity,
        severity: i.notification.severity,
        occurredAt: i.notification.occurredAt,
        receivedAt: iso(i.receivedAt),
        attempts: i.attempts + 1,
        generation: i.generation,
        routedTo: i.originalRecipient ?? i.recipient,
      }))),
      counts: [...counts.values()],
      segs: refs.map((r) => r.seg),
      refs,
    };
    // On the day of the delivery; a retry of the same digest has the same `at` (and day): written once.
    await insertReportingDuplicates(this.digests(utcDayKey(at)), [doc]);
  }

  /** Dead letters (kept whole for replay), each naming the queue position it settles. */
  async deadLetter(items: QueueItem[], cause: string, at: Date): Promise<void> {
    const docs: DeadLetterDoc[] = items.map((i) => ({
      _id: i._id,
      recipient: i.originalRecipient ?? i.recipient,
      cause,
      at,
      attempts: i.attempts + 1,
      generation: i.generation,
      receivedAt: i.receivedAt,
      partition: i.partition,
      ...(i.segment !== undefined ? { seg: i.segment, idx: i.index } : {}),
      notification: i.notification,
    }));
    await insertAllOnce(this.dead, docs);
  }

  /** Hands items to their fallback recipient: one new segment per partition that settles the originals. Returns the new items. */
  async toFallback(items: QueueItem[], digestId: string, now: Date): Promise<QueueItem[]> {
    const out: QueueItem[] = [];
    const segs: SegmentDoc[] = [];
    for (const [key, group] of groupBy(items, (i) => `${i.fallback}\u0000${i.partition}`)) {
      const [fallback, partition] = key.split('\u0000');
      const moved: QueueItem[] = group.map(({ fallback: _f, segment: _s, index: _i, ...i }) => ({ ...i, recipient: fallback, originalRecipient: i.originalRecipient ?? i.recipient, attempts: 0 }));
      segs.push(DeliveryStore.segment(`fallback:${digestId}:${fallback}:${partition}`, fallback, Number(partition), moved, now, { from: refsOf(group) }));
      out.push(...moved);
    }
    await insertAllOnce(this.segments, segs);
    return out;
  }

  /** Dead letters back into the queue of the recipient that gave up on them: replay segments first, then the letters go. */
  async replayDeadLetters(filter: { recipient?: string; ids?: string[] }, now = new Date()): Promise<QueueItem[]> {
    const q: Record<string, unknown> = {};
    if (filter.recipient) q.recipient = filter.recipient;
    if (filter.ids) q._id = { $in: filter.ids };
    const letters = await this.dead.find(q).lean<DeadLetterDoc[]>();
    if (letters.length === 0) return [];
    const items: QueueItem[] = letters.map((l) => ({
      _id: l._id,
      recipient: l.recipient,
      source: `${l.notification.entity.kind}/${l.notification.entity.id}`,
      type: l.notification.type,
      attempts: 0,
      generation: l.generation + 1,
      receivedAt: new Date(l.receivedAt),
      partition: l.partition ?? 0,
      notification: l.notification,
    }));
    const run = randomUUID();
    const segs = [...groupBy(items, (i) => `${i.recipient}\u0000${i.partition}`)].map(([key, group]) => {
      const [recipient, partition] = key.split('\u0000');
      return DeliveryStore.segment(`replay:${run}:${recipient}:${partition}`, recipient, Number(partition), group, now);
    });
    // Until the letters are gone, a load skips these segments and accounting counts the letters: never twice, never lost.
    await insertAllOnce(this.segments, segs);
    // A letter is the durable settle of its original position until the owner's coalesced write lands:
    // write that settle now, before the letter goes (a no-op where the segment is already gone).
    const origins = new Map<string, number[]>();
    for (const l of letters) if (l.seg !== undefined && l.idx !== undefined) origins.set(l.seg, [...(origins.get(l.seg) ?? []), l.idx]);
    await this.settle([...origins].map(([seg, idx]) => ({ seg, idx, complete: false })));
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
    const digests = await this.findDigests(utcDayKey(from), { at: { $gte: from } }, { counts: 1 });
    for (const d of digests) for (const c of d.counts) if (c.receivedAt >= f && c.receivedAt < t) add(c.recipient, 'delivered', c.n);
    const dead = await this.dead.find({ receivedAt: { $gte: from, $lt: to } }, { _id: 1, recipient: 1 }).lean();
    for (const d of dead) add(d.recipient, 'dead_lettered', 1);
    const { items } = await this.open();
    for (const i of items) {
      const at = i.receivedAt.getTime();
      if (at >= f && at < t) add(i.originalRecipient ?? i.recipient, 'queued', 1);
    }
    return [...out.values()];
  }

  async list(filter: { recipient?: string; outcome?: string; alertId?: string; limit: number; since: Date }): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    const match = (n: { alertId: string }, routedTo: string) => (!filter.alertId || n.alertId === filter.alertId) && (!filter.recipient || routedTo === filter.recipient);
    if (!filter.outcome || filter.outcome === 'queued') {
      const { items } = await this.open();
      const mine = items.filter((i) => match(i.notification, i.originalRecipient ?? i.recipient)).sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
      out.push(...mine.slice(0, filter.limit).map(queueRecord));
    }
    if (!filter.outcome || filter.outcome === 'delivered') {
      // Newest day first, stopping once the page is full.
      days: for (const day of (await this.digestDays(utcDayKey(filter.since))).reverse()) {
        const logs = await this.digests(day).find({ at: { $gte: filter.since } }).sort({ at: -1 }).toArray();
        for (const l of logs) {
          for (const i of digestItems(l)) if (match(i, i.routedTo)) out.push(digestRecord(l, i));
          if (out.length >= filter.limit) break days;
        }
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

  /** Retention in code (FerretDB has no TTL indexes): drops the delivery log's days wholly before the cut. Returns the collections dropped. */
  async pruneBefore(before: Date): Promise<string[]> {
    const dropped: string[] = [];
    for (const day of await this.digestDays('')) {
      if (day >= utcDayKey(before)) break;
      await this.conn.db!.dropCollection(DAY.digests(day)).catch(() => undefined); // gone already (another instance)
      dropped.push(DAY.digests(day));
    }
    return dropped;
  }
}

/** The first day a segment's items can have been delivered: its chunk's first receipt (named by the bucket id), else its creation. */
function firstDayOf(d: Pick<SegmentDoc, 'bucket' | 'createdAt'>): string {
  const fromBucket = d.bucket ? dayOfBucket(d.bucket) : undefined;
  const created = utcDayKey(new Date(d.createdAt));
  return fromBucket && fromBucket < created ? fromBucket : created;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k) ?? [];
    list.push(i);
    out.set(k, list);
  }
  return out;
}

/** Milliseconds of a Date (or of what a stored item holds for one), without a new Date when it is one. */
function timeOf(d: Date | string | number): number {
  return d instanceof Date ? d.getTime() : new Date(d).getTime();
}

/** Date → ISO text, remembering the last one converted (runs of items share one receipt time). */
function lastIso(): (d: Date | string | number) => string | null {
  let t = NaN;
  let text = '';
  return (d) => {
    const ms = timeOf(d);
    if (Number.isNaN(ms)) return null; // as JSON.stringify writes an invalid Date
    if (ms !== t) {
      t = ms;
      text = new Date(ms).toISOString();
    }
    return text;
  };
}
