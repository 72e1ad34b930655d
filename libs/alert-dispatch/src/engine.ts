import type { Connection } from 'mongoose';
import type { Kafka } from 'kafkajs';
import { Topics, type AlertEvent, type NotificationOutcome } from '@watchkeeper/contracts';
import { ConsumerRunner, type ConsumedEvent, type EventProducer } from '@watchkeeper/kafka';
import { ensureIndexes } from '@watchkeeper/mongo';
import type { Logger, Registry } from '@watchkeeper/runtime';
import { SilenceStore, type RoutingConfig, type SilenceRule } from '@watchkeeper/alert-routing';
import { AlertHistoryStore, AlertStateStore } from '@watchkeeper/alert-state';
import { DeliveryStore, RecipientWorker, type Sender } from '@watchkeeper/delivery-queue';
import { createSender } from '@watchkeeper/recipients';
import { ingestBatch } from './ingest';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics';
import { Mutex } from './mutex';

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
  private readonly admission = new Mutex();
  private consumer: ConsumerRunner<typeof Topics.alerts.schema> | undefined;
  private silenceRules: SilenceRule[] = [];
  private silenceTimer: NodeJS.Timeout | undefined;
  private joined = false;

  constructor(private readonly opts: EngineOptions) {
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
    await ensureIndexes([this.states.model, this.history.model, this.store.queue, this.store.log, this.silenceStore.model]);
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
  }

  /** Ingests one batch (the consumer's batchHandler; also callable directly). */
  async handleBatch(events: Array<ConsumedEvent<AlertEvent>>): Promise<void> {
    const result = await ingestBatch(
      { states: this.states, history: this.history, store: this.store, admission: this.admission, routing: () => this.routing, silences: () => this.silenceRules },
      events,
    );
    await this.publishOutcomes(result.outcomes);
    for (const d of result.decisions) this.metrics.alertsReceived.inc({ action: d.action, reason: d.reason });
    for (const r of result.recipientsWithWork) this.workers.get(r)?.wake();
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
        onOutcomes: (o) => this.publishOutcomes(o),
        leaseMs: this.opts.leaseMs ?? Math.max(30_000, r.delivery.timeoutMs * 3),
        idlePollMs: this.opts.idlePollMs ?? 1000,
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

  async publishOutcomes(outcomes: NotificationOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    for (let i = 0; i < outcomes.length; i += 5000) {
      const chunk = outcomes.slice(i, i + 5000);
      await this.opts.producer.publishMany(
        Topics.notifications,
        chunk.map((o) => ({ value: o, opts: { id: o.id, subject: o.fingerprint } })),
      );
    }
    this.metrics.record(outcomes);
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
  await engine.store.log.deleteMany({ at: { $lt: before } });
}
