import { Topics, type AlertEvent, type HeartbeatStatus } from '@watchkeeper/contracts';
import type { HeartbeatSink } from '@watchkeeper/heartbeat';
import type { EventProducer } from '@watchkeeper/kafka';
import { backoffDelay, sleep, type Logger } from '@watchkeeper/runtime';

export interface SinkCounters {
  dropped(kind: 'status' | 'alert', n: number): void;
  published(kind: 'status' | 'alert', n: number): void;
}

/**
 * Verdicts to Kafka without ever blocking a round: an in-memory outbox flushed in order (alerts
 * first). When the broker fails the monitor is told it is blind; when it answers again, it is told it
 * can see. Full outbox: the oldest statuses go first (alerts are kept); every drop is counted.
 * Alerts need no bound of their own: while the broker is down the monitor is blind and judges no one,
 * so an outage adds one monitor-blind trigger (and its release once a publish works again).
 */
export class KafkaHeartbeatSink implements HeartbeatSink {
  private readonly alerts: AlertEvent[] = [];
  private readonly statusQueue: HeartbeatStatus[] = [];
  private flushing: Promise<void> | null = null;
  private failing = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly producer: EventProducer,
    private readonly o: {
      logger: Logger;
      onBrokerDown: (down: boolean) => void;
      counters?: SinkCounters;
      maxQueued?: number;
      batch?: number;
      /** A publish unanswered this long means the broker is down (default 10 s); see flush(). */
      stallMs?: number;
      /** false: hold everything until producerConnected() (the service connects in the background). */
      connected?: boolean;
    },
  ) {
    this.producerReady = o.connected ?? true;
  }

  private producerReady: boolean;

  /** The producer is connected: start sending what waited. */
  producerConnected(): void {
    this.producerReady = true;
    this.kick();
  }

  get ready(): boolean {
    return this.producerReady;
  }

  /** The broker is known to be away before any publish failed (e.g. not reachable at start). */
  markUnavailable(reason: string): void {
    this.markDown(reason);
  }

  get queued(): number {
    return this.alerts.length + this.statusQueue.length;
  }

  get brokerDown(): boolean {
    return this.failing;
  }

  statuses(list: HeartbeatStatus[]): void {
    this.statusQueue.push(...list);
    const max = this.o.maxQueued ?? 50_000;
    const over = this.queued - max;
    if (over > 0) {
      const n = Math.min(over, this.statusQueue.length);
      this.statusQueue.splice(0, n);
      this.o.counters?.dropped('status', n);
      this.o.logger.warn({ dropped: n }, 'heartbeat status outbox full: dropped the oldest statuses');
    }
    this.kick();
  }

  alert(event: AlertEvent): void {
    this.alerts.push(event);
    this.o.logger.info({ alert: event.type, action: event.action, entity: event.entity.id, id: event.id }, 'alert');
    this.kick();
  }

  /** Waits until the outbox is empty (or the broker is failing). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.queued > 0 && !this.failing && this.producerReady && Date.now() < until) await (this.flushing ?? sleep(10));
  }

  async stop(): Promise<void> {
    await this.drain(5000);
    this.stopped = true;
    this.abort.abort();
    await this.flushing;
    if (this.queued > 0) {
      this.o.counters?.dropped('status', this.statusQueue.length);
      this.o.counters?.dropped('alert', this.alerts.length);
      this.o.logger.error({ alerts: this.alerts.length, statuses: this.statusQueue.length }, 'stopping with unsent heartbeat events');
    }
  }

  private markDown(reason: string): void {
    if (this.failing || this.stopped) return;
    this.failing = true;
    this.o.logger.error({ err: reason }, 'kafka publish failed: monitor blind until it works again');
    this.o.onBrokerDown(true);
  }

  private kick(): void {
    if (!this.flushing && !this.stopped && this.producerReady) this.flushing = this.flush().finally(() => (this.flushing = null));
  }

  private async flush(): Promise<void> {
    let attempt = 0;
    while (!this.stopped && this.queued > 0) {
      const alerts = this.alerts.slice(0, this.o.batch ?? 500);
      const statuses = alerts.length ? [] : this.statusQueue.slice(0, this.o.batch ?? 500);
      // kafkajs retries a dead broker for about 30 s before a publish fails; the monitor should not
      // judge listeners for that long without a working outlet, so a publish still unanswered after
      // stallMs already counts as "broker down" (the publish itself goes on and is retried as usual).
      const stall = setTimeout(() => this.markDown(`no answer from Kafka for ${this.o.stallMs ?? 10_000} ms`), this.o.stallMs ?? 10_000);
      try {
        if (alerts.length) await this.producer.publishMany(Topics.alerts, alerts.map((a) => ({ value: a, opts: { id: a.id, subject: a.entity.id } })));
        else await this.producer.publishMany(Topics.heartbeatStatus, statuses.map((s) => ({ value: s, opts: { id: `${s.server}/${s.node}/${s.listenerId}/${s.roundId}/${s.observedAt}`, subject: s.listenerId } })));
        clearTimeout(stall);
        // Remove exactly what was sent (new items may have been appended meanwhile).
        if (alerts.length) this.alerts.splice(0, alerts.length);
        else this.statusQueue.splice(0, statuses.length);
        this.o.counters?.published(alerts.length ? 'alert' : 'status', alerts.length || statuses.length);
        attempt = 0;
        if (this.failing) {
          this.failing = false;
          this.o.logger.info('kafka reachable again');
          this.o.onBrokerDown(false);
        }
      } catch (err) {
        clearTimeout(stall);
        attempt += 1;
        this.markDown((err as Error).message);
        await sleep(backoffDelay(attempt, { baseMs: 500, maxMs: 10_000 }), this.abort.signal);
      }
    }
  }
}
