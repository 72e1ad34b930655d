import type { Admin, Kafka } from 'kafkajs';
import { prom, type Logger, type Registry } from '@watchkeeper/runtime';

/** A group's lag on one topic: the high watermark minus the committed offset, per partition. */
export interface ConsumerLag {
  group: string;
  topic: string;
  /** Sum over the partitions. */
  total: number;
  partitions: Array<{ partition: number; committed: number; high: number; lag: number }>;
  /** When it was read (ms since the epoch). */
  at: number;
}

export interface ConsumerLagOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  logger: Logger;
  registry?: Registry;
  /** How often the offsets are read (one small admin request pair). */
  intervalMs: number;
  /** A partition without a committed offset counts as all behind (a group that reads from the start) or not at all. */
  fromBeginning: boolean;
}

const GAUGE = 'watchkeeper_kafka_consumer_lag';

/**
 * Reads a group's committed offsets and the topic's high watermarks every `intervalMs`, keeps the
 * latest reading, and exports it as a gauge per group, topic and partition. From the broker, not from
 * the consumer's own fetches, so a consumer that is stuck still shows its lag growing.
 * The admin client is connected for a reading only: kafkajs checks request timeouts of every open
 * connection ten times a second, so an admin kept open between readings (two connections) cost an
 * idle service more than connecting anew every `intervalMs`.
 */
export class ConsumerLagMonitor {
  private timer: NodeJS.Timeout | undefined;
  private last: ConsumerLag | undefined;
  private readonly gauge?: prom.Gauge<'group' | 'topic' | 'partition'>;
  private reading: Promise<void> | undefined;

  constructor(private readonly opts: ConsumerLagOptions) {
    if (opts.registry) {
      this.gauge =
        (opts.registry.getSingleMetric(GAUGE) as prom.Gauge<'group' | 'topic' | 'partition'> | undefined) ??
        new prom.Gauge({ name: GAUGE, help: 'Messages behind: high watermark minus the committed offset, per consumer group and partition', labelNames: ['group', 'topic', 'partition'], registers: [opts.registry] });
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs);
    this.timer.unref();
    void this.refresh();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
  }

  latest(): ConsumerLag | undefined {
    return this.last;
  }

  /** One reading now; a failure keeps the previous one (the broker may be away). */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async read(): Promise<void> {
    const { groupId, topic } = this.opts;
    const admin: Admin = this.opts.kafka.admin();
    try {
      await admin.connect();
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      const byPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const partitions = ends.map((e) => {
        const high = Number(e.high);
        const c = byPartition.get(e.partition) ?? -1;
        const lag = c >= 0 ? Math.max(0, high - c) : this.opts.fromBeginning ? high - Number(e.low) : 0;
        return { partition: e.partition, committed: c, high, lag };
      });
      this.last = { group: groupId, topic, total: partitions.reduce((n, p) => n + p.lag, 0), partitions, at: Date.now() };
      for (const p of partitions) this.gauge?.set({ group: groupId, topic, partition: String(p.partition) }, p.lag);
    } catch (err) {
      this.opts.logger.debug({ err, topic, groupId }, 'could not read the consumer lag');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
