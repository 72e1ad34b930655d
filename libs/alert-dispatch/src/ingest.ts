import { alertFingerprint, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import { findSilence, routeAlert, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { alreadyApplied, applyAlertEvent, bucketId, redeliveredBucket, type AlertHistoryStore, type AlertState, type AlertStateStore, type Decision, type FanoutEntry, type HistoryRecord } from '@watchkeeper/alert-state';
import { admit, DeliveryStore, outcome, type Notification, type OccupancyBook, type OpenSegment, type QueueItem, type SegmentDoc } from '@watchkeeper/delivery-queue';
import type { RecentIds } from './recent-ids';

export interface IngestDeps {
  groupId: string;
  states: AlertStateStore;
  history: AlertHistoryStore;
  store: DeliveryStore;
  occupancy: OccupancyBook;
  recentIds: RecentIds;
  routing: () => RoutingConfig;
  silences: () => SilenceRule[];
  clock?: () => Date;
  /**
   * Deliver before persisting: called with a chunk's queue items as soon as they are decided, before
   * any of its writes. The caller puts them in the recipients' queues with their segments held (settles
   * wait in memory) until `durable` is called for those segments.
   */
  early?: (queued: Array<{ segment: OpenSegment; items: QueueItem[] }>) => void;
  /** The chunk's segments are written: their held settles may go out. */
  durable?: (segIds: string[]) => void;
  /** Positions of a segment already settled (delivered before the segment was written). */
  settledOf?: (segId: string) => number[];
  /**
   * Decisions of chunks handed over early whose attempt failed before done(): the retry reuses them
   * (same items, same segments, not counted or handed over again). Keyed by bucket id.
   */
  unfinished?: Map<string, HistoryRecord[]>;
}

export interface IngestResult {
  /** Drops and silences decided at admission: to publish before `done()`. */
  outcomes: NotificationOutcome[];
  recipientsWithWork: Set<string>;
  decisions: Array<{ action: AlertEvent['action']; reason: Decision['reason'] }>;
  /** A crashed batch was finished from its record: the in-memory occupancy should be re-read. */
  replayed: boolean;
  /** The queue items written (durable in their segments), to hand to the recipients' queues after `done()`. */
  queued: Array<{ segment: OpenSegment; items: QueueItem[] }>;
  /** A chunk redelivered after a crash: its rewritten segments, less what the delivery log shows sent; to hand over (and count) after `done()`. */
  reloaded: Array<{ segment: OpenSegment; items: QueueItem[] }>;
  /** Items counted into the admission occupancy by this attempt. */
  counted: QueueItem[];
  /** Marks the batch fully processed (after its outcomes are published). */
  done(): Promise<void>;
}

/** Phase timings of the last batch, for debug logs. */
export let timings: Record<string, number> = {};

export const itemId = (eventId: string, recipient: string) => `${eventId}|${recipient}`;
export const sourceOf = (e: Pick<AlertEvent, 'entity'>) => `${e.entity.kind}/${e.entity.id}`;

function notificationOf(rec: HistoryRecord, recipient: string): Notification {
  const e = rec.event;
  const d = rec.decision;
  return {
    id: itemId(rec.eventId, recipient),
    alertId: e.id,
    fingerprint: rec.fingerprint,
    kind: d.kind,
    type: e.type,
    entity: e.entity,
    labels: e.labels ?? {},
    severity: e.severity,
    ...(e.summary ? { summary: e.summary } : {}),
    ...(e.description ? { description: e.description } : {}),
    source: e.source,
    ...(e.category ? { category: e.category } : {}),
    occurredAt: e.occurredAt,
    ...(d.startsAt ? { startsAt: new Date(d.startsAt).toISOString() } : {}),
    ...(d.durationMs !== undefined ? { durationMs: d.durationMs } : {}),
    receivedAt: new Date(rec.receivedAt).toISOString(),
  };
}

function queueItem(rec: HistoryRecord, f: FanoutEntry): QueueItem {
  return {
    _id: itemId(rec.eventId, f.recipient),
    recipient: f.recipient,
    ...(f.fallback ? { fallback: f.fallback } : {}),
    source: sourceOf(rec.event),
    type: rec.event.type,
    attempts: 0,
    generation: 0,
    receivedAt: new Date(rec.receivedAt),
    partition: rec.kafka.partition,
    notification: notificationOf(rec, f.recipient),
  };
}

/** One segment per recipient for a consumed chunk; its id names the chunk, so a redelivery rewrites it. */
function chunkSegments(bucket: string, partition: number, firstOffset: string, items: QueueItem[], now: Date) {
  const byRecipient = new Map<string, QueueItem[]>();
  for (const i of items) {
    const list = byRecipient.get(i.recipient) ?? [];
    list.push(i);
    byRecipient.set(i.recipient, list);
  }
  // By reference: the alerts are in the chunk's history bucket, written once (see segmentItems).
  return [...byRecipient].map(([recipient, list]) => DeliveryStore.segment(`${bucket}|${recipient}`, recipient, partition, list, now, { bucket, offset: firstOffset, ref: true }));
}

/**
 * The items of a chunk's segment for `recipient`, rebuilt from the chunk's history records: the same
 * items in the same order as when the segment was written (records in offset order, each record's
 * queued fan-out entries for the recipient), so positions settled in the segment name the same items.
 */
export function segmentItems(records: HistoryRecord[], recipient: string): QueueItem[] {
  const out: QueueItem[] = [];
  for (const rec of records) for (const f of rec.fanout) if (f.state === 'queued' && f.recipient === recipient) out.push(queueItem(rec, f));
  return out;
}

/** The record's drops and silences as outcomes, appended to `out` (no arrays per record: it runs per alert). */
function admissionOutcomes(rec: HistoryRecord, out: NotificationOutcome[]): void {
  for (const f of rec.fanout) {
    if (f.state === 'queued') continue;
    out.push(
      outcome({ _id: itemId(rec.eventId, f.recipient), recipient: f.recipient, notification: notificationOf(rec, f.recipient), generation: 0 }, f.state === 'dropped' ? 'dropped' : 'silenced', new Date(rec.receivedAt), {
        cause: f.cause,
        attempt: 0,
      }),
    );
  }
}

type ConsumerProgressDoc = Awaited<ReturnType<AlertHistoryStore['loadProgress']>>;

/** One partition's part of an ingested batch (a chunk: its history bucket and its queue segments). */
interface Chunk {
  partition: number;
  progress: ConsumerProgressDoc;
  todo: Array<ConsumedEvent<AlertEvent>>;
  first: string;
  last: string;
  id: string;
  /** Decisions already recorded for these offsets (a crashed chunk's bucket, or a failed attempt of this process). */
  recorded: Map<string, HistoryRecord>;
  /** Handed to the queues by a failed attempt of this process (see IngestDeps.unfinished). */
  inMemory: boolean;
  /** Redelivered after a crash: persisted first, its queue then reloaded against the delivery log. */
  recovering: boolean;
  /** A crashed chunk's bucket that this chunk replaces (a redelivery cut differently). */
  stalePending?: string;
  records: HistoryRecord[];
  queuedItems: QueueItem[];
  outcomes: NotificationOutcome[];
  decisions: IngestResult['decisions'];
  /** Items this attempt counted into the admission occupancy (taken back if it fails). */
  counted: QueueItem[];
  segments: SegmentDoc[];
  queued: IngestResult['queued'];
  reloaded: IngestResult['reloaded'];
}

/**
 * Consumed alert events (of one or several partitions: the consumer's chunks gathered side by side)
 * → alert states, the history store and the recipients' queues. Exactly-once recording rides on the
 * Kafka position: each partition's progress says which offsets are done; a chunk interrupted by a
 * crash is marked pending first, so its redelivery reuses the recorded decisions (same notifications
 * queued, same drops) instead of deciding again. Order, per chunk: pending mark → history and queue
 * segments (one per recipient) → states → (caller publishes) → done → (caller hands the items to the
 * workers). The chunks of all partitions go through each step together, one write per collection
 * (FerretDB on SQLite writes one at a time: six writes per partition per cycle were the consumer's
 * wait). Each chunk still reaches a step only after its previous write landed, so a crash anywhere
 * leaves every partition at some point of its own order, and its redelivery resumes from there.
 */
export async function ingestBatch(deps: IngestDeps, events: Array<ConsumedEvent<AlertEvent>>): Promise<IngestResult> {
  const now = deps.clock?.() ?? new Date();
  const byPartition = new Map<number, Array<ConsumedEvent<AlertEvent>>>();
  for (const e of events) {
    const list = byPartition.get(e.partition) ?? [];
    list.push(e);
    byPartition.set(e.partition, list);
  }
  let chunks: Chunk[] = [];
  try {
    chunks = (await Promise.all([...byPartition].map(([partition, list]) => openChunk(deps, partition, list, now)))).filter((c): c is Chunk => c !== undefined);
    if (chunks.length === 0) return { outcomes: [], recipientsWithWork: new Set(), decisions: [], replayed: false, queued: [], reloaded: [], counted: [], done: async () => undefined };
    await record(deps, chunks, now);
  } catch (err) {
    // Admission counts are exact in memory: a failed attempt takes back what it counted (its retry counts again).
    for (const c of chunks) deps.occupancy.adjust(c.counted, -1);
    throw err;
  }
  return {
    outcomes: chunks.flatMap((c) => c.outcomes),
    recipientsWithWork: new Set(chunks.flatMap((c) => c.queuedItems.map((i) => i.recipient))),
    decisions: chunks.flatMap((c) => c.decisions),
    replayed: chunks.some((c) => c.recorded.size > 0),
    queued: deps.early ? [] : chunks.flatMap((c) => c.queued),
    reloaded: chunks.flatMap((c) => c.reloaded),
    counted: chunks.flatMap((c) => c.counted),
    done: async () => {
      await deps.history.markDoneMany(chunks.map((c) => ({ progress: c.progress, through: c.last })));
      for (const c of chunks) deps.unfinished?.delete(c.id);
    },
  };
}

/** A partition's events not yet done (by its progress), with what an interrupted attempt recorded; undefined when all are done. */
async function openChunk(deps: IngestDeps, partition: number, events: Array<ConsumedEvent<AlertEvent>>, now: Date): Promise<Chunk | undefined> {
  const progress = await deps.history.loadProgress(deps.groupId, partition, { cached: true });
  const through = progress.through === null ? -1n : BigInt(progress.through);
  const todo = events.filter((e) => BigInt(e.offset) > through).sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  if (todo.length === 0) return undefined;
  const first = todo[0].offset;
  // A redelivery after a crash rewrites its batch in the day collection of its first attempt.
  const id = redeliveredBucket(progress.pending, first) ?? bucketId(deps.groupId, partition, first, now);
  const recorded = new Map<string, HistoryRecord>();
  if (progress.pending) for (const r of await deps.history.loadBucket(progress.pending.bucketId)) recorded.set(r.kafka.offset, r);
  // Already in the recipients' queues from a failed attempt of this process: neither counted nor handed over again.
  const inMemory = deps.unfinished?.get(id);
  if (inMemory) for (const r of inMemory) recorded.set(r.kafka.offset, r);
  return {
    partition,
    progress,
    todo,
    first,
    last: todo[todo.length - 1].offset,
    id,
    recorded,
    inMemory: Boolean(inMemory),
    // Some items may have been sent before the crash (delivery runs ahead of the commit).
    recovering: Boolean(progress.pending) && !inMemory,
    stalePending: progress.pending && progress.pending.bucketId !== id ? progress.pending.bucketId : undefined,
    records: [],
    queuedItems: [],
    outcomes: [],
    decisions: [],
    counted: [],
    segments: [],
    queued: [],
    reloaded: [],
  };
}

/** The recording steps, each one write per collection for all the chunks. */
async function record(deps: IngestDeps, chunks: Chunk[], now: Date): Promise<void> {
  // An interrupted chunk's segments were never handed to a worker (that happens after done()): rewrite them.
  await Promise.all(chunks.filter((c) => c.progress.pending).map((c) => deps.store.dropChunkSegments(c.progress.pending!.bucketId)));
  await deps.history.markPendingMany(chunks.map((c) => ({ progress: c.progress, pending: { bucketId: c.id, firstOffset: c.first, lastOffset: c.last } })));

  const tPrep = Date.now();
  const fps = new Map<Chunk, string[]>(chunks.map((c) => [c, c.todo.map((e) => alertFingerprint(e.value))]));
  const stateful = chunks.flatMap((c) => fps.get(c)!.filter((_, i) => c.todo[i].value.action !== 'store'));
  const states = await deps.states.load([...new Set(stateful)]);
  const dirty = new Map<string, AlertState>();
  const cfg = deps.routing();
  const silences = deps.silences();
  for (const c of chunks) decide(deps, c, fps.get(c)!, states, dirty, cfg, silences, now);

  const tDecide = Date.now();
  for (const c of chunks) {
    c.segments = chunkSegments(c.id, c.partition, c.first, c.queuedItems, now);
    c.queued = c.segments.map((sg) => ({ segment: { id: sg._id, partition: c.partition, count: sg.count, settled: [], recovered: [] }, items: c.queuedItems.filter((i) => i.segment === sg._id) }));
  }
  const segments = chunks.flatMap((c) => c.segments);
  // History and segments are written side by side; the items go to the queues once the history is
  // written: an alert is in the history (received) before any of its copies can be delivered, and a
  // crash after a delivery always finds the recorded decisions (same segments, same positions).
  // Positions settled before the segment write ends wait in the settle book (held) until `durable`.
  // A retry of a chunk already handed over: what was delivered meanwhile is written as settled.
  if (deps.settledOf) for (const sg of segments) sg.settled = deps.settledOf(sg._id);
  const savingSegments = deps.store.saveChunkSegments(segments);
  try {
    await deps.history.saveBatches(chunks.map((c) => ({ id: c.id, partition: c.partition, receivedAt: now, records: c.records })));
    await Promise.all(chunks.filter((c) => c.stalePending).map((c) => deps.history.deleteBatch(c.stalePending!)));
  } finally {
    await savingSegments.catch(() => undefined); // its own failure is thrown below
  }
  for (const c of chunks) {
    if (!deps.early || c.inMemory || c.recovering) continue;
    deps.early(c.queued);
    // From here the queues own these items' admission counts; a failed attempt leaves them there.
    c.counted = [];
    deps.unfinished?.set(c.id, c.records);
  }
  await savingSegments;
  const tSave = Date.now();
  deps.durable?.(segments.map((sg) => sg._id));
  // States last: saved states imply a saved history (a retry reuses the recorded decisions).
  await deps.states.saveMany([...dirty.values()]);
  if (deps.early) {
    await Promise.all(
      chunks
        .filter((c) => c.recovering && c.segments.length > 0)
        .map(async (c) => {
          const open = await deps.store.open({ ids: c.segments.map((sg) => sg._id) });
          c.reloaded = open.segments.map((segment) => ({ segment, items: open.items.filter((i) => i.segment === segment.id) }));
          // Counted again at hand-over, without what was sent before the crash.
          deps.occupancy.adjust(c.counted, -1);
          c.counted = [];
        }),
    );
  }
  timings = { chunks: chunks.length, prepMs: tPrep - now.getTime(), decideMs: tDecide - tPrep, saveMs: tSave - tDecide, restMs: Date.now() - tSave };
}

/** Decides one chunk's events in offset order (reusing recorded decisions): its records, queue items and outcomes. */
function decide(deps: IngestDeps, c: Chunk, fps: string[], states: Map<string, AlertState>, dirty: Map<string, AlertState>, cfg: RoutingConfig, silences: SilenceRule[], now: Date): void {
  c.todo.forEach((ev, i) => {
    const fp = fps[i];
    const e = ev.value;
    const st = states.get(fp);
    const prior = c.recorded.get(ev.offset);
    const receivedAt = prior ? new Date(prior.receivedAt) : now;
    let decision: Decision;
    if (prior) {
      decision = prior.decision;
    } else if (deps.recentIds.has(ev.eventId)) {
      // The same event id again at a new position (a producer retry): recorded, not notified twice.
      decision = { notify: false, kind: 'stored', reason: 'duplicate' };
    } else {
      decision = applyAlertEvent(st, e, fp, receivedAt, cfg.repeatIntervalMs).decision;
    }
    if (decision.reason !== 'duplicate' && e.action !== 'store' && !alreadyApplied(st, ev.partition, ev.offset)) {
      const next = applyAlertEvent(st, e, fp, receivedAt, cfg.repeatIntervalMs).state;
      if (next && next !== st) {
        next.applied = { partition: ev.partition, offset: ev.offset };
        states.set(fp, next);
        dirty.set(fp, next);
      }
    }
    deps.recentIds.add(ev.eventId);
    c.decisions.push({ action: e.action, reason: decision.reason });

    if (prior) {
      c.records.push(prior);
      for (const f of prior.fanout) {
        if (f.state !== 'queued') continue;
        const item = queueItem(prior, f);
        c.queuedItems.push(item);
        if (c.inMemory) continue;
        deps.occupancy.adjust([item], 1);
        c.counted.push(item);
      }
      admissionOutcomes(prior, c.outcomes);
      return;
    }
    const rec: HistoryRecord = { eventId: ev.eventId, fingerprint: fp, event: e, receivedAt, decision, fanout: [], kafka: { partition: ev.partition, offset: ev.offset } };
    if (decision.notify) {
      const targets = routeAlert(cfg, e);
      const silence = targets.length ? findSilence(silences, e, now) : undefined;
      for (const t of targets) {
        if (silence) {
          rec.fanout.push({ recipient: t.recipient, state: 'silenced', cause: `silence:${silence.id}` });
          continue;
        }
        const a = admit(deps.occupancy.of(t.recipient), sourceOf(e), e.type, cfg.recipients.get(t.recipient)!.delivery);
        if (!a.admitted) {
          rec.fanout.push({ recipient: t.recipient, state: 'dropped', cause: a.cause });
          continue;
        }
        const f: FanoutEntry = { recipient: t.recipient, state: 'queued', ...(t.fallback ? { fallback: t.fallback } : {}) };
        rec.fanout.push(f);
        const item = queueItem(rec, f);
        c.queuedItems.push(item);
        c.counted.push(item);
      }
    }
    c.records.push(rec);
    admissionOutcomes(rec, c.outcomes);
  });
}
