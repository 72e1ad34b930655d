import type { Connection } from 'mongoose';
import type { Kafka } from 'kafkajs';
import { Topics, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import { ConsumerRunner, EventProducer, type ConsumedEvent } from '@watchkeeper/kafka';
import { ensureIndexes } from '@watchkeeper/mongo';
import type { Logger, Registry } from '@watchkeeper/runtime';
import { SilenceStore, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { AlertHistoryStore, AlertStateStore } from '@watchkeeper/alert-state';
import { DeliveryStore, OccupancyBook, RecipientWorker, type Sender } from '@watchkeeper/delivery-queue';
import { createSender } from '@watchkeeper/recipients';
import { ingestBatch, timings } from './ingest';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics';
import { RecentIds } from './recent-ids';

export interface EngineOptions {
  conn: Connection;
  kafka: Kafka;
  /** Connected; used for outcomes, dead letters and the Kafka recipient. */
  producer: EventProducer;
  logger: Logger;
  registry: Registry;
  routing: { readonly current: RoutingConfig };
  groupId: string;
  leaseMs?: number;
  idlePollMs?: number;
  silenceRefreshMs?: number;
  partitionsConsumedConcurrently?: number;
  /** How often the in-memory queue occupancy is re-read from MongoDB (default 30 s). */
  occupancyResyncMs?: number;
  /** Where a new consumer group starts: true = the oldest retained alert (default), false = only new ones. */
  fromBeginning?: boolean;
  /** Replaces a configured recipient's plugin (tests, embedding). */
  senderFactory?: (r: RoutingConfig['recipients'] extends Map<string, infer R> ? R : never) => Sender;
}

/**
 * The dispatcher: consumes the alerts topic in batches (state, history, routing, admission), and runs
 * one delivery worker per recipient. Every outcome goes to the notifications topic and the metrics.
 */
export class DispatcherEngine {
  readonly states: AlertStateStore;
  readonly history: AlertHistoryStore;
  readonly store: DeliveryStore;
  readonly silenceStore: SilenceStore;
  readonly metrics: DispatcherMetrics;
  readonly workers = new Map<string, RecipientWorker>();
  private readonly occupancy = new OccupancyBook();
  private readonly recentIds = new RecentIds();
  private occupancyStale = true;
  private resyncTimer: NodeJS.Timeout | undefined;
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
    this.silenceStore = new SilenceStore(opts.conn);
    this.metrics = dispatcherMetrics(opts.registry);
  }

  get routing(): RoutingConfig {
    return this.opts.routing.current;
  }

  /** Consuming and assigned partitions: what readiness reports. */
  get consuming(): boolean {
    return (this.consumer?.isRunning ?? false) && this.joined;
  }

  private markJoined: () => void = () => undefined;
  /** Resolves once the consumer has joined its group (tests produce only after this). */
  readonly joinedGroup = new Promise<void>((resolve) => {
    this.markJoined = () => {
      this.joined = true;
      resolve();
    };
  });


  async start(opts: { consume?: boolean } = {}): Promise<void> {
    await this.deliveryProducer.connect();
    await ensureIndexes([this.states.model, ...this.history.models, ...this.store.models, this.silenceStore.model]);
    await this.resyncOccupancy();
    // Other instances fill and drain the same queues: re-read the counts now and then.
    this.resyncTimer = setInterval(() => (this.occupancyStale = true), this.opts.occupancyResyncMs ?? 30_000);
    this.resyncTimer.unref();
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
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      fromBeginning: this.opts.fromBeginning ?? true,
      batchHandler: (events) => this.handleBatch(events),
    });
    this.consumer.onGroupJoin(() => this.markJoined());
    await this.consumer.start();
  }

  /** Stops intake first, then the workers (an in-flight send finishes or is re-delivered after its lease). */
  async stop(): Promise<void> {
    await this.consumer?.stop().catch((err) => this.opts.logger.warn({ err }, 'consumer stop failed'));
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await Promise.all([...this.senders.values()].map((s) => s.close?.().catch(() => undefined)));
    clearInterval(this.silenceTimer);
    await this.deliveryProducer.disconnect();
    clearInterval(this.resyncTimer);
  }

  /** Ingests one batch (the consumer's batchHandler; also callable directly). */
  async handleBatch(events: Array<ConsumedEvent<AlertEvent>>): Promise<void> {
    const t0 = Date.now();
    if (this.occupancyStale) await this.resyncOccupancy();
    let result;
    try {
      result = await ingestBatch(
        {
          groupId: this.opts.groupId,
          states: this.states,
          history: this.history,
          store: this.store,
          occupancy: this.occupancy,
          recentIds: this.recentIds,
          routing: () => this.routing,
          silences: () => this.silenceRules,
        },
        events,
      );
    } catch (err) {
      this.occupancyStale = true; // admissions of the failed attempt may not have reached the queue
      throw err;
    }
    if (result.replayed) this.occupancyStale = true;
    const t1 = Date.now();
    await this.publishOutcomes(result.outcomes);
    const t2 = Date.now();
    await result.done();
    this.opts.logger.debug({ events: events.length, ...timings, ingestMs: t1 - t0, publishMs: t2 - t1, doneMs: Date.now() - t2 }, 'batch ingested');
    for (const d of result.decisions) this.metrics.alertsReceived.inc({ action: d.action, reason: d.reason });
    for (const r of result.recipientsWithWork) this.workers.get(r)?.wake();
  }

  private async resyncOccupancy(): Promise<void> {
    this.occupancyStale = false;
    this.occupancy.replace(await this.store.occupancy());
  }

  private readonly senders = new Map<string, Sender>();

  /** Starts, updates or stops workers to match the routing config (at start and on every reload). */
  applyRouting(config: RoutingConfig): void {
    for (const [name, r] of config.recipients) {
      const old = this.senders.get(name);
      const sender = this.opts.senderFactory?.(r) ?? createSender(r, { producer: this.opts.producer });
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
        logger: this.opts.logger,
        onOutcomes: (o) => this.publishOutcomes(o, this.deliveryProducer),
        leaseMs: this.opts.leaseMs ?? Math.max(30_000, r.delivery.timeoutMs * 3),
        idlePollMs: this.opts.idlePollMs ?? 1000,
        onLeft: (items) => this.occupancy.adjust(items, -1),
        onJoined: (items) => {
          this.occupancy.adjust(items, 1);
          for (const i of items) this.workers.get(i.recipient)?.wake();
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
    for (let i = 0; i < outcomes.length; i += 1000) {
      const chunk = outcomes.slice(i, i + 1000); // well under the broker's 1 MB batch limit
      await producer.publishMany(
        Topics.notifications,
        chunk.map((o) => ({ value: o, opts: { id: o.id, subject: o.fingerprint } })),
      );
    }
    this.metrics.record(outcomes);
  }

  /** Dead letters back into their queues; returns how many. */
  async replayDeadLetters(filter: { recipient?: string; ids?: string[] }): Promise<number> {
    const items = await this.store.replayDeadLetters(filter);
    this.occupancy.adjust(items, 1);
    for (const r of new Set(items.map((i) => i.recipient))) this.workers.get(r)?.wake();
    return items.length;
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

/** History and delivery log retention, done in code: FerretDB has no TTL indexes. */
export async function pruneHistory(engine: DispatcherEngine, days: number): Promise<void> {
  const before = new Date(Date.now() - days * 86_400_000);
  await engine.history.pruneBefore(before);
  await engine.store.pruneBefore(before);
}
