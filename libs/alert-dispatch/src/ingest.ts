import { alertFingerprint, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import type { ConsumedEvent } from '@watchkeeper/kafka';
import { findSilence, routeAlert, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { alreadyApplied, applyAlertEvent, bucketId, redeliveredBucket, type AlertHistoryStore, type AlertState, type AlertStateStore, type Decision, type FanoutEntry, type HistoryRecord } from '@watchkeeper/alert-state';
import { admit, DeliveryStore, outcome, type Notification, type OccupancyBook, type OpenSegment, type QueueItem } from '@watchkeeper/delivery-queue';
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

/**
 * One consumed batch of alert events (one partition) → alert states, the history store and the
 * recipients' queues. Exactly-once recording rides on the Kafka position: the partition's progress
 * says which offsets are done; a batch interrupted by a crash is marked pending first, so its
 * redelivery reuses the recorded decisions (same notifications queued, same drops) instead of
 * deciding again. Order: pending mark → history → queue segments (one per recipient) → states →
 * (caller publishes) → done → (caller hands the items to the workers). No item is sent before its
 * chunk is done, so a redelivered chunk can rewrite its segments without sending anything twice.
 */
export async function ingestBatch(deps: IngestDeps, events: Array<ConsumedEvent<AlertEvent>>): Promise<IngestResult> {
  const byPartition = new Map<number, Array<ConsumedEvent<AlertEvent>>>();
  for (const e of events) {
    const list = byPartition.get(e.partition) ?? [];
    list.push(e);
    byPartition.set(e.partition, list);
  }
  const results: IngestResult[] = [];
  // Admission counts are exact in memory: a failed attempt takes back what it counted (its retry counts again).
  const counted: QueueItem[] = [];
  try {
    for (const [partition, list] of byPartition) results.push(await ingestPartition(deps, partition, list, counted));
  } catch (err) {
    deps.occupancy.adjust(counted, -1);
    throw err;
  }
  return {
    outcomes: results.flatMap((r) => r.outcomes),
    recipientsWithWork: new Set(results.flatMap((r) => [...r.recipientsWithWork])),
    decisions: results.flatMap((r) => r.decisions),
    replayed: results.some((r) => r.replayed),
    queued: results.flatMap((r) => r.queued),
    reloaded: results.flatMap((r) => r.reloaded),
    counted,
    done: async () => {
      for (const r of results) await r.done();
    },
  };
}

async function ingestPartition(deps: IngestDeps, partition: number, events: Array<ConsumedEvent<AlertEvent>>, counted: QueueItem[]): Promise<IngestResult> {
  const now = deps.clock?.() ?? new Date();
  const cfg = deps.routing();
  const progress = await deps.history.loadProgress(deps.groupId, partition, { cached: true });
  const through = progress.through === null ? -1n : BigInt(progress.through);
  const todo = events.filter((e) => BigInt(e.offset) > through).sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
  const empty: IngestResult = { outcomes: [], recipientsWithWork: new Set(), decisions: [], replayed: false, queued: [], reloaded: [], counted: [], done: async () => undefined };
  if (todo.length === 0) return empty;

  const first = todo[0].offset;
  const last = todo[todo.length - 1].offset;
  // A redelivery after a crash rewrites its batch in the day collection of its first attempt.
  const id = redeliveredBucket(progress.pending, first) ?? bucketId(deps.groupId, partition, first, now);
  const recorded = new Map<string, HistoryRecord>();
  if (progress.pending) for (const r of await deps.history.loadBucket(progress.pending.bucketId)) recorded.set(r.kafka.offset, r);
  // Already in the recipients' queues from a failed attempt of this process: neither counted nor handed over again.
  const inMemory = deps.unfinished?.get(id);
  if (inMemory) for (const r of inMemory) recorded.set(r.kafka.offset, r);
  // Redelivered after a crash: some items may have been sent before it (delivery runs ahead of the
  // commit), so this chunk is persisted first and its queue reloaded against the delivery log.
  const recovering = Boolean(progress.pending) && !inMemory;
  const countedFrom = counted.length;
  const stalePending = progress.pending && progress.pending.bucketId !== id ? progress.pending.bucketId : undefined;
  // An interrupted chunk's segments were never handed to a worker (that happens after done()): rewrite them.
  if (progress.pending) await deps.store.dropChunkSegments(progress.pending.bucketId);
  await deps.history.markPending(progress, { bucketId: id, firstOffset: first, lastOffset: last });

  const tPrep = Date.now();
  const fps = todo.map((e) => alertFingerprint(e.value));
  const states = await deps.states.load([...new Set(fps.filter((_, i) => todo[i].value.action !== 'store'))]);
  const dirty = new Map<string, AlertState>();
  const records: HistoryRecord[] = [];
  const queuedItems: QueueItem[] = [];
  const outcomes: NotificationOutcome[] = [];
  const decisions: IngestResult['decisions'] = [];
  const silences = deps.silences();

  todo.forEach((ev, i) => {
    const fp = fps[i];
    const e = ev.value;
    const st = states.get(fp);
    const prior = recorded.get(ev.offset);
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
    decisions.push({ action: e.action, reason: decision.reason });

    if (prior) {
      records.push(prior);
      for (const f of prior.fanout) {
        if (f.state !== 'queued') continue;
        const item = queueItem(prior, f);
        queuedItems.push(item);
        if (inMemory) continue;
        deps.occupancy.adjust([item], 1);
        counted.push(item);
      }
      admissionOutcomes(prior, outcomes);
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
        queuedItems.push(item);
        counted.push(item);
      }
    }
    records.push(rec);
    admissionOutcomes(rec, outcomes);
  });

  const tDecide = Date.now();
  const segments = chunkSegments(id, partition, first, queuedItems, now);
  const queued = segments.map((sg) => ({ segment: { id: sg._id, partition, count: sg.count, settled: [], recovered: [] }, items: queuedItems.filter((i) => i.segment === sg._id) }));
  // History and segments are written side by side; the items go to the queues once the history is
  // written: an alert is in the history (received) before any of its copies can be delivered, and a
  // crash after a delivery always finds the recorded decisions (same segments, same positions).
  // Positions settled before the segment write ends wait in the settle book (held) until `durable`.
  // A retry of a chunk already handed over: what was delivered meanwhile is written as settled.
  if (deps.settledOf) for (const sg of segments) sg.settled = deps.settledOf(sg._id);
  const savingSegments = deps.store.saveChunkSegments(segments);
  try {
    await deps.history.saveBatch(id, partition, now, records);
    if (stalePending) await deps.history.deleteBatch(stalePending);
  } finally {
    await savingSegments.catch(() => undefined); // its own failure is thrown below
  }
  const early = Boolean(deps.early) && !inMemory && !recovering;
  if (early) {
    deps.early!(queued);
    // From here the queues own these items' admission counts; a failed attempt leaves them there.
    counted.splice(countedFrom);
    deps.unfinished?.set(id, records);
  }
  await savingSegments;
  const tSave = Date.now();
  deps.durable?.(segments.map((sg) => sg._id));
  // States last: saved states imply a saved history (a retry reuses the recorded decisions).
  await deps.states.saveMany([...dirty.values()]);
  let reloaded: IngestResult['reloaded'] = [];
  if (recovering && deps.early && segments.length > 0) {
    const open = await deps.store.open({ ids: segments.map((sg) => sg._id) });
    reloaded = open.segments.map((segment) => ({ segment, items: open.items.filter((i) => i.segment === segment.id) }));
    // Counted again at hand-over, without what was sent before the crash.
    deps.occupancy.adjust(counted.splice(countedFrom), -1);
  }
  timings = { prepMs: tPrep - now.getTime(), decideMs: tDecide - tPrep, saveMs: tSave - tDecide, restMs: Date.now() - tSave };
  return {
    outcomes,
    recipientsWithWork: new Set(queuedItems.map((i) => i.recipient)),
    decisions,
    replayed: recorded.size > 0,
    counted: [],
    queued: deps.early ? [] : queued,
    reloaded,
    done: async () => {
      await deps.history.markDone(progress, last);
      deps.unfinished?.delete(id);
    },
  };
}
