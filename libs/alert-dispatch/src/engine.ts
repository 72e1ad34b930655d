import type { Connection } from 'mongoose';
import type { Kafka } from 'kafkajs';
import { Topics, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import { ConsumerRunner, EventProducer, type ConsumedEvent } from '@watchkeeper/kafka';
import { ensureIndexes } from '@watchkeeper/mongo';
import type { Logger, Registry } from '@watchkeeper/runtime';
import { SilenceStore, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { AlertHistoryStore, AlertStateStore, type HistoryRecord } from '@watchkeeper/alert-state';
import { DeliveryStore, OccupancyBook, RecipientQueue, RecipientWorker, SettleBook, type OpenSegment, type QueueItem, type Sender } from '@watchkeeper/delivery-queue';
import { createSender } from '@watchkeeper/recipients';
import { ingestBatch, segmentItems, timings } from './ingest';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics';
import { RecentIds } from './recent-ids';
import { SideBySide } from './side-by-side';

export interface EngineOptions {
  conn: Connection;
  kafka: Kafka;
  /** Connected; used for outcomes, dead letters and the Kafka recipient. */
  producer: EventProducer;
  logger: Logger;
  registry: Registry;
  routing: { readonly current: RoutingConfig };
  groupId: string;
  idlePollMs?: number;
  /** How often settled queue positions are written back (coalesced; default 250 ms). */
  settleIntervalMs?: number;
  /** How often the owned partitions are checked for segments written elsewhere (a replay, a rebalance; default 5 s). */
  discoverMs?: number;
  silenceRefreshMs?: number;
  partitionsConsumedConcurrently?: number;
  /** Most alerts ingested as one chunk (one history document, one segment per recipient; default 1000). */
  maxBatchSize?: number;
  /** Where a new consumer group starts: true = the oldest retained alert (default), false = only new ones. */
  fromBeginning?: boolean;
  /** Replaces a configured recipient's plugin (tests, embedding). */
  senderFactory?: (r: RoutingConfig['recipients'] extends Map<string, infer R> ? R : never) => Sender;
}

/**
 * The dispatcher: consumes the alerts topic in batches (state, history, routing, admission), and runs
 * one delivery worker per recipient. Every outcome goes to the notifications topic and the metrics.
 *
 * Queues: the items of the alerts-topic partitions this instance is assigned live in memory, one
 * RecipientQueue per recipient; they are durable as segments written per consumed chunk before its
 * offset is committed. Partition ownership decides who sends what: on assignment the open segments
 * of the new partitions are loaded, on revocation their items leave memory.
 */
export class DispatcherEngine {
  readonly states: AlertStateStore;
  readonly history: AlertHistoryStore;
  readonly store: DeliveryStore;
  readonly silenceStore: SilenceStore;
  readonly metrics: DispatcherMetrics;
  readonly workers = new Map<string, RecipientWorker>();
  readonly queues = new Map<string, RecipientQueue>();
  readonly settles: SettleBook;
  /** Partitions assigned to this instance, and the segments in memory with their partition. */
  private owned = new Set<number>();
  private readonly loaded = new Map<string, number>();
  private ownership: Promise<void> = Promise.resolve();
  private discoverTimer: NodeJS.Timeout | undefined;
  private readonly occupancy = new OccupancyBook();
  private readonly recentIds = new RecentIds();
  /** Chunks handed over before persisting whose attempt has not finished (see IngestDeps.unfinished). */
  private readonly unfinished = new Map<string, HistoryRecord[]>();
  private consumer: ConsumerRunner<typeof Topics.alerts.schema> | undefined;
  private silenceRules: SilenceRule[] = [];
  private silenceTimer: NodeJS.Timeout | undefined;
  private joined = false;

  /** Workers' outcomes go through their own producer, so a flood's drop outcomes never hold up a delivery. */
  private readonly deliveryProducer: EventProducer;

  constructor(private readonly opts: EngineOptions) {
    this.deliveryProducer = new EventProducer(opts.kafka, 'watchkeeper/alert-dispatcher');
    this.states = new AlertStateStore(opts.conn);
    this.history = new AlertHistoryStore(opts.conn);
    this.store = new DeliveryStore(opts.conn);
    // Chunk segments hold no alerts: they are rebuilt from the chunk's history bucket.
    this.store.expander = async (segs) => {
      const out = new Map<string, QueueItem[]>();
      const buckets = [...new Set(segs.map((sg) => sg.bucket!))];
      const records = new Map(await Promise.all(buckets.map(async (b) => [b, await this.history.loadBucket(b)] as const)));
      for (const sg of segs) {
        const recs = records.get(sg.bucket!);
        if (recs && recs.length > 0) out.set(sg._id, segmentItems(recs, sg.recipient));
      }
      return out;
    };
    this.silenceStore = new SilenceStore(opts.conn);
    this.metrics = dispatcherMetrics(opts.registry);
    this.settles = new SettleBook((u) => this.store.settle(u), opts.logger, opts.settleIntervalMs ?? 250);
    this.settles.onDone = (ids) => ids.forEach((id) => this.loaded.delete(id));
  }

  get routing(): RoutingConfig {
    return this.opts.routing.current;
  }

  /** Consuming and assigned partitions: what readiness reports. */
  get consuming(): boolean {
    return (this.consumer?.isRunning ?? false) && this.joined;
  }

  private markJoined: () => void = () => undefined;
  /** Resolves once the consumer has joined its group and is positioned (tests produce only after this). */
  readonly joinedGroup = new Promise<void>((resolve) => {
    this.markJoined = () => {
      this.joined = true;
      resolve();
    };
  });


  async start(opts: { consume?: boolean } = {}): Promise<void> {
    await this.deliveryProducer.connect();
    await ensureIndexes([this.states.model, ...this.history.models, ...this.store.models, this.silenceStore.model]);
    if (await this.history.hasLegacyBatches()) {
      this.opts.logger.warn('history of an earlier release is still in alert_history: run `watchkeeper-alert-dispatcher migrate-history` once (until then /v1/alerts and accounting show only what this release recorded)');
    }
    await this.refreshSilences();
    this.silenceTimer = this.refreshSilencesForever();
    this.applyRouting(this.routing);
    if (opts.consume === false) return;
    this.consumer = new ConsumerRunner({
      kafka: this.opts.kafka,
      groupId: this.opts.groupId,
      topic: Topics.alerts,
      logger: this.opts.logger,
      deadLetters: this.opts.producer,
      registry: this.opts.registry,
      // Every partition of a fetch at once: their chunks are then ingested as one (see handleBatch),
      // one write per collection per fetch; with fewer, the rest come in later rounds of their own.
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? Topics.alerts.partitions,
      // Chunks of 1000: half the database round trips (and documents) per alert of 500; one chunk's
      // history is still one document well under the 16 MB limit.
      maxBatchSize: this.opts.maxBatchSize ?? 1000,
      fromBeginning: this.opts.fromBeginning ?? true,
      batchHandler: (events) => this.handleBatch(events),
    });
    // Each join names this member's partitions: their open segments are loaded, the others dropped.
    this.consumer.onAssigned((partitions) => this.assigned(partitions));
    // Ready once every assigned partition has a position: an alert produced after this is consumed.
    this.consumer.onPositioned(() => this.markJoined());
    this.discoverTimer = setInterval(() => void this.discover(), this.opts.discoverMs ?? 5000);
    this.discoverTimer.unref();
    await this.consumer.start();
  }

  /** The alerts-topic partitions this instance is assigned (and sends the queues of). */
  get ownedPartitions(): number[] {
    return [...this.owned].sort((x, y) => x - y);
  }

  /** Waiting items of this instance (in memory) for one recipient. */
  queuedInMemory(recipient: string): number {
    return this.queues.get(recipient)?.size ?? 0;
  }

  queueOf(recipient: string): RecipientQueue {
    let q = this.queues.get(recipient);
    if (!q) this.queues.set(recipient, (q = new RecipientQueue()));
    return q;
  }

  /** A new assignment: revoked partitions leave memory, new ones are loaded (one change at a time). */
  private assigned(partitions: number[]): void {
    const next = new Set(partitions);
    // Another member may have consumed any of them meanwhile: progress is read from the database again.
    this.history.forgetProgress();
    this.ownership = this.ownership.then(async () => {
      const revoked = [...this.owned].filter((p) => !next.has(p));
      const added = [...next].filter((p) => !this.owned.has(p));
      this.owned = next;
      if (revoked.length > 0) {
        const gone = new Set(revoked);
        for (const q of this.queues.values()) this.occupancy.adjust(q.removeWhere((i) => gone.has(i.partition)), -1);
        for (const [id, recs] of this.unfinished) if (gone.has(recs[0]?.kafka.partition ?? -1)) this.unfinished.delete(id);
        const segs = [...this.loaded].filter(([, p]) => gone.has(p)).map(([id]) => id);
        segs.forEach((id) => this.loaded.delete(id));
        await this.settles.forget(segs);
      }
      if (added.length > 0) await this.loadOpen({ partitions: added });
    });
    // The partitions stay owned: discover() loads whatever is still missing on its next run.
    this.ownership = this.ownership.catch((err) => this.opts.logger.error({ err, partitions }, 'loading the queues of assigned partitions failed; the next check retries'));
  }

  /** Segments of owned partitions this instance has not loaded (written by a replay or an instance that lost the partition). */
  private async discover(): Promise<void> {
    try {
      await this.ownership;
      if (this.owned.size === 0) return;
      const ids = (await this.store.segmentIds([...this.owned])).filter((id) => !this.loaded.has(id));
      if (ids.length > 0) await this.loadOpen({ ids });
    } catch (err) {
      this.opts.logger.warn({ err }, 'checking for new queue segments failed');
    }
  }

  private async loadOpen(filter: { partitions?: number[]; ids?: string[] }): Promise<void> {
    const partitions = filter.partitions ?? [...this.owned];
    const through = new Map<number, bigint | null>();
    for (const p of partitions) {
      const progress = await this.history.loadProgress(this.opts.groupId, p);
      through.set(p, progress.through === null ? null : BigInt(progress.through));
    }
    const { items, segments } = await this.store.open({ ...filter, through });
    const bySeg = new Map<string, QueueItem[]>();
    for (const i of items) {
      const list = bySeg.get(i.segment!) ?? [];
      list.push(i);
      bySeg.set(i.segment!, list);
    }
    const n = this.handOver(segments.map((segment) => ({ segment, items: bySeg.get(segment.id) ?? [] })), true);
    if (n > 0) this.opts.logger.info({ items: n, segments: segments.length }, 'loaded queued notifications');
  }

  /** Durable items into the recipients' memory queues, once per segment, for owned partitions only. */
  private handOver(parts: Array<{ segment: OpenSegment; items: QueueItem[] }>, count = false, held = false): number {
    let n = 0;
    for (const { segment, items } of parts) {
      if (this.loaded.has(segment.id) || !this.owned.has(segment.partition)) continue;
      this.loaded.set(segment.id, segment.partition);
      this.settles.track(segment, { held });
      if (count) this.occupancy.adjust(items, 1);
      const byRecipient = new Map<string, QueueItem[]>();
      for (const i of items) {
        const list = byRecipient.get(i.recipient);
        if (list) list.push(i);
        else byRecipient.set(i.recipient, [i]);
      }
      for (const [r, list] of byRecipient) {
        this.queueOf(r).push(list);
        this.workers.get(r)?.wake();
      }
      n += items.length;
    }
    return n;
  }

  /** Stops intake first, then the workers (an in-flight send finishes, or is sent again after the restart), then writes pending settles. */
  async stop(): Promise<void> {
    await this.consumer?.stop().catch((err) => this.opts.logger.warn({ err }, 'consumer stop failed'));
    clearInterval(this.discoverTimer);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.settles.close().catch((err) => this.opts.logger.warn({ err }, 'final settle write failed; the delivery log stands in'));
    await Promise.all([...this.senders.values()].map((s) => s.close?.().catch(() => undefined)));
    clearInterval(this.silenceTimer);
    await this.deliveryProducer.disconnect();
  }

  /** The consumer's chunks handed over side by side (one per partition), ingested as one. */
  private readonly sideBySide = new SideBySide<ConsumedEvent<AlertEvent>>((events) => this.ingest(events), (e) => e.partition);

  /** Ingests one batch (the consumer's batchHandler; also callable directly). */
  handleBatch(events: Array<ConsumedEvent<AlertEvent>>): Promise<void> {
    return this.sideBySide.add(events);
  }

  private async ingest(events: Array<ConsumedEvent<AlertEvent>>): Promise<void> {
    const t0 = Date.now();
    const result = await ingestBatch(
      {
        groupId: this.opts.groupId,
        states: this.states,
        history: this.history,
        store: this.store,
        occupancy: this.occupancy,
        recentIds: this.recentIds,
        routing: () => this.routing,
        silences: () => this.silenceRules,
        // Deliver before persisting: the offset still waits for the writes (history, segments) and done().
        early: (queued) => this.handOver(queued, false, true),
        durable: (ids) => this.settles.release(ids),
        settledOf: (id) => this.settles.settledOf(id),
        unfinished: this.unfinished,
      },
      events,
    );
    const t1 = Date.now();
    try {
      await this.publishOutcomes(result.outcomes);
    } catch (err) {
      this.occupancy.adjust(result.counted, -1); // the retry counts them again
      throw err;
    }
    const t2 = Date.now();
    try {
      await result.done();
    } catch (err) {
      this.occupancy.adjust(result.counted, -1);
      throw err;
    }
    this.handOver(result.queued);
    this.handOver(result.reloaded, true);
    this.opts.logger.debug({ events: events.length, ...timings, ingestMs: t1 - t0, publishMs: t2 - t1, doneMs: Date.now() - t2 }, 'batch ingested');
    this.metrics.received(result.decisions);
  }

  private readonly senders = new Map<string, Sender>();

  /** Starts, updates or stops workers to match the routing config (at start and on every reload). */
  applyRouting(config: RoutingConfig): void {
    for (const [name, r] of config.recipients) {
      this.metrics.zero(name);
      const old = this.senders.get(name);
      const sender = this.opts.senderFactory?.(r) ?? createSender(r, { producer: this.opts.producer, logger: this.opts.logger });
      this.senders.set(name, sender);
      const existing = this.workers.get(name);
      if (existing) {
        existing.update(sender, r.delivery);
        void old?.close?.().catch(() => undefined);
        continue;
      }
      const worker = new RecipientWorker({
        sender,
        limits: r.delivery,
        store: this.store,
        queue: this.queueOf(name),
        settles: this.settles,
        logger: this.opts.logger,
        onOutcomes: (o) => this.publishOutcomes(o, this.deliveryProducer),
        // A safety net only: every push to a recipient's queue wakes its worker.
        idlePollMs: this.opts.idlePollMs ?? 60_000,
        onLeft: (items) => this.occupancy.adjust(items, -1),
        onJoined: (items) => {
          this.occupancy.adjust(items, 1);
          this.handOverItems(items);
        },
      });
      this.workers.set(name, worker);
      worker.start();
    }
    for (const [name, worker] of this.workers) {
      if (config.recipients.has(name)) continue;
      this.opts.logger.warn({ recipient: name }, 'recipient removed from the routing config; its queued notifications wait until it comes back');
      this.workers.delete(name);
      void worker.stop();
      void this.senders.get(name)?.close?.().catch(() => undefined);
      this.senders.delete(name);
    }
  }

  async publishOutcomes(outcomes: NotificationOutcome[], producer = this.opts.producer): Promise<void> {
    if (outcomes.length === 0) return;
    const time = new Date().toISOString();
    for (let i = 0; i < outcomes.length; i += 1000) {
      const chunk = outcomes.slice(i, i + 1000); // well under the broker's 1 MB batch limit
      await producer.publishMany(
        Topics.notifications,
        chunk.map((o) => ({ value: o, opts: { id: o.id, subject: o.fingerprint, time } })),
      );
    }
    this.metrics.record(outcomes);
  }

  /** Dead letters back into their queues; returns how many. Items of partitions owned elsewhere are found there by discovery. */
  async replayDeadLetters(filter: { recipient?: string; ids?: string[] }): Promise<number> {
    const items = await this.store.replayDeadLetters(filter);
    this.occupancy.adjust(items, 1);
    this.handOverItems(items);
    return items.length;
  }

  /** Items of freshly written whole segments (a fallback, a replay). */
  private handOverItems(items: QueueItem[]): void {
    const bySeg = new Map<string, QueueItem[]>();
    for (const i of items) {
      const list = bySeg.get(i.segment!);
      if (list) list.push(i);
      else bySeg.set(i.segment!, [i]);
    }
    this.handOver([...bySeg].map(([id, list]) => ({ segment: { id, partition: list[0].partition, count: list.length, settled: [], recovered: [] }, items: list })));
  }

  async refreshSilences(): Promise<void> {
    this.silenceRules = await this.silenceStore.loadCurrent();
  }

  /** Other instances create silences too: re-read them every few seconds. */
  private refreshSilencesForever(): NodeJS.Timeout {
    const timer = setInterval(() => {
      this.refreshSilences().catch((err) => this.opts.logger.warn({ err }, 'could not refresh silences'));
    }, this.opts.silenceRefreshMs ?? 5000);
    timer.unref();
    return timer;
  }
}

/**
 * History and delivery log retention, done in code (FerretDB has no TTL indexes): whole UTC days
 * older than the retention are dropped, one collection at a time. Returns the collections dropped.
 */
export async function pruneHistory(engine: DispatcherEngine, days: number, now = new Date()): Promise<string[]> {
  const before = new Date(now.getTime() - days * 86_400_000);
  // Batches that open queue segments refer to hold those alerts: their day is kept until the segments are done.
  const history = await engine.history.pruneBefore(before, await engine.store.referencedBuckets());
  return [...history, ...(await engine.store.pruneBefore(before))];
}
