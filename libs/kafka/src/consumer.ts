import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { consumerGroupId, Topics, type DeadLetter, type TopicDef } from '@watchkeeper/contracts';
import { backoffDelay, prom, sleep, type Logger, type Registry } from '@watchkeeper/runtime';
import { ConsumerLagMonitor, type ConsumerLag } from './consumer-lag';
import { PermanentError } from './errors';
import { positionAtEnd } from './positioning';
import type { EventProducer } from './producer';

export interface ConsumedEvent<T> {
  value: T;
  key: string | null;
  headers: Record<string, string>;
  topic: string;
  partition: number;
  offset: string;
  /** CloudEvents id when present, else topic/partition/offset: stable across redeliveries. */
  eventId: string;
}

/** Where a chunk handed to batchHandler comes from: one partition, offsets firstOffset…lastOffset. */
export interface BatchContext {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** The partition's high watermark when the batch was fetched. */
  highWatermark: string;
}

export interface ConsumerRunnerOptions<S extends z.ZodType> {
  kafka: Kafka;
  /** As configured; the broker sees it behind WATCHKEEPER_TOPIC_PREFIX (`groupId` of the runner). */
  groupId: string;
  topic: TopicDef<S>;
  logger: Logger;
  /** Sends dead letters; must be connected before start. */
  deadLetters: EventProducer;
  /** One message at a time… */
  handler?: (event: ConsumedEvent<z.output<S>>) => Promise<void>;
  /** …or a whole fetched batch (already validated) at once, for bulk writes. */
  batchHandler?: (events: ConsumedEvent<z.output<S>>[], context: BatchContext) => Promise<void>;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  registry?: Registry;
  retry?: { baseMs?: number; maxMs?: number };
  /** Largest number of events handed to batchHandler at once (default 500): bounds a stop's wait. */
  maxBatchSize?: number;
  /** How long the group waits for a silent member before reassigning its partitions. */
  sessionTimeoutMs?: number;
  /**
   * Longest time one fetched batch is worked on before its progress is committed and the consumer goes
   * back to the group (default a third of the session timeout). Chunks shrink to fit it, and a
   * handler call still running keeps the membership alive with heartbeats meanwhile.
   */
  batchBudgetMs?: number;
  /** How often the group's lag is read from the broker for /metrics and lag() (default 15 s; 0: never). */
  lagIntervalMs?: number;
  /**
   * Most bytes one fetch brings (kafkajs `maxBytes`; default here 2 MiB, kafkajs' own is 10 MB): with
   * a backlog, every fetched message is held in memory until its batch is done, decoded to about five
   * times its size (header keys as strings, each header value a Buffer), so this bounds the
   * consumer's peak memory. With kafkajs' 10 MB the receiver's two consumers ran out of its 192 MB
   * heap catching up a 1 M-event backlog (bench/volume/idle.cjs).
   */
  maxFetchBytes?: number;
}

export const DEFAULT_MAX_FETCH_BYTES = 2 * 1024 * 1024;

/**
 * validate → handle → commit, or dead-letter. An offset is resolved only after its handler succeeded
 * (or the message was dead-lettered), so a crash before that redelivers it: at-least-once. A message
 * that fails its contract, or whose handler throws PermanentError, goes to the dead-letter topic with
 * its reason and original bytes, and the consumer moves on. Any other handler error is retried with
 * backoff for as long as the consumer runs (a database outage must not turn into dead letters).
 */
export class ConsumerRunner<S extends z.ZodType> {
  private readonly consumer: Consumer;
  private readonly abort = new AbortController();
  private readonly counter?: prom.Counter<'topic' | 'outcome'>;
  private running = false;
  private positioned = false;
  private readonly positionedCallbacks: Array<() => void> = [];
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly budgetMs: number;
  /** Events per batchHandler call: maxBatchSize, shrunk so that one call fits half the budget. */
  private chunkSize: number;
  private readonly lagMonitor?: ConsumerLagMonitor;
  /** The group as the broker knows it: behind WATCHKEEPER_TOPIC_PREFIX like the topics, so installations sharing a cluster never share a group. */
  readonly groupId: string;

  constructor(private readonly opts: ConsumerRunnerOptions<S>) {
    if (!opts.handler === !opts.batchHandler) throw new Error('give exactly one of handler or batchHandler');
    this.groupId = consumerGroupId(opts.groupId);
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3));
    this.budgetMs = opts.batchBudgetMs ?? Math.floor(this.sessionTimeoutMs / 3);
    this.chunkSize = opts.maxBatchSize ?? 500;
    this.consumer = opts.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, sessionTimeout: this.sessionTimeoutMs, heartbeatInterval: this.heartbeatIntervalMs, maxBytes: opts.maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES });
    if ((opts.lagIntervalMs ?? 15_000) > 0) {
      this.lagMonitor = new ConsumerLagMonitor({ kafka: opts.kafka, groupId: this.groupId, topic: opts.topic.name, logger: opts.logger, registry: opts.registry, intervalMs: opts.lagIntervalMs ?? 15_000, fromBeginning: opts.fromBeginning ?? true });
    }
    if (opts.registry) {
      const name = 'watchkeeper_kafka_messages_consumed_total';
      this.counter =
        (opts.registry.getSingleMetric(name) as prom.Counter<'topic' | 'outcome'> | undefined) ??
        new prom.Counter({ name, help: 'Messages consumed, by outcome (handled, dead_lettered, retried)', labelNames: ['topic', 'outcome'], registers: [opts.registry] });
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const { topic, fromBeginning } = this.opts;
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topic.name, fromBeginning: fromBeginning ?? true });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => void this.afterJoin(e.payload.memberAssignment[topic.name] ?? []));
    this.running = true;
    this.lagMonitor?.start();
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops fetching, lets the batch in hand finish (or abandons its retries uncommitted), commits, leaves the group. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.running = false;
    await this.consumer.disconnect();
    await this.lagMonitor?.stop();
  }

  /** The group's latest lag reading (undefined before the first, or with lagIntervalMs 0). */
  lag(): ConsumerLag | undefined {
    return this.lagMonitor?.latest();
  }

  /** Reads the lag now (tests, and whoever cannot wait for the interval). */
  async refreshLag(): Promise<ConsumerLag | undefined> {
    await this.lagMonitor?.refresh();
    return this.lagMonitor?.latest();
  }

  /** Fires at each group join, when partitions are assigned (a fresh group may not be positioned yet). */
  onGroupJoin(cb: () => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, cb);
  }

  /**
   * Fires at each group join with the partitions of this runner's topic now assigned to this member
   * (those not listed were revoked): for work kept per partition, such as in-memory queues.
   */
  onAssigned(cb: (partitions: number[]) => void): void {
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => cb(e.payload.memberAssignment[this.opts.topic.name] ?? []));
  }

  /**
   * Fires once, after the first join, when every assigned partition has a position: anything produced
   * after this is consumed. What readiness and tests should wait for.
   */
  onPositioned(cb: () => void): void {
    if (this.positioned) cb();
    else this.positionedCallbacks.push(cb);
  }

  private async afterJoin(partitions: number[]): Promise<void> {
    if (this.opts.fromBeginning === false) {
      // Retried: a join whose positioning failed would otherwise leave the gap open.
      for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
        try {
          await positionAtEnd(this.opts.kafka, this.consumer, this.groupId, this.opts.topic.name, partitions);
          break;
        } catch (err) {
          this.opts.logger.warn({ err, attempt, topic: this.opts.topic.name }, 'could not position the new group; retrying');
          await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 5_000 }), this.abort.signal);
        }
      }
    }
    if (this.positioned) return;
    this.positioned = true;
    for (const cb of this.positionedCallbacks.splice(0)) cb();
  }

  /**
   * No batch outlives the group session: work is cut into chunks that fit the budget, each chunk's
   * offsets are resolved and committed as soon as it is done, a handler call still running sends the
   * heartbeats meanwhile, and once the budget is spent the rest of the batch is left to the next fetch
   * (it starts at the first offset not resolved). A slow database thus slows the consumer down, and
   * never makes it redo, without end, work it has already done (a livelock).
   */
  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale } = payload;
    const canGoOn = () => isRunning() && !isStale() && !this.abort.signal.aborted;
    const started = Date.now();
    const overBudget = () => Date.now() - started >= this.budgetMs;
    const commit = async () => {
      await commitOffsetsIfNecessary(uncommittedOffsets());
      await heartbeat();
    };
    let chunk: Array<{ msg: KafkaMessage; event: ConsumedEvent<z.output<S>> }> = [];
    let lastSeen: KafkaMessage | undefined;

    // Hands the chunk to the batch handler, then resolves everything up to the last message seen
    // (dead letters in between included) and commits it.
    const flush = async (): Promise<boolean> => {
      if (chunk.length > 0) {
        const taken = chunk;
        const context: BatchContext = { topic: batch.topic, partition: batch.partition, firstOffset: taken[0]!.msg.offset, lastOffset: taken[taken.length - 1]!.msg.offset, highWatermark: batch.highWatermark };
        const t0 = Date.now();
        const ok = await this.withRetry(() => this.opts.batchHandler!(taken.map((c) => c.event), context), heartbeat, canGoOn, async (reason) => {
          for (const c of taken) await this.deadLetter(batch.topic, batch.partition, c.msg, reason);
        }, taken.length);
        if (!ok) return false;
        this.fitChunkSize(taken.length, Date.now() - t0);
        chunk = [];
      }
      if (lastSeen) resolveOffset(lastSeen.offset);
      await commit();
      return true;
    };

    for (const msg of batch.messages) {
      if (!canGoOn()) break; // stopping or rebalancing: what is not resolved is redelivered
      const decoded = this.decode(batch.topic, batch.partition, msg);
      if ('reason' in decoded) {
        await this.deadLetter(batch.topic, batch.partition, msg, decoded.reason);
        if (this.opts.handler) resolveOffset(msg.offset);
      } else if (this.opts.handler) {
        const ok = await this.withRetry(() => this.opts.handler!(decoded.event), heartbeat, canGoOn, (reason) => this.deadLetter(batch.topic, batch.partition, msg, reason));
        if (!ok) break;
        resolveOffset(msg.offset);
        await heartbeat();
      } else {
        chunk.push({ msg, event: decoded.event });
      }
      lastSeen = msg;
      if (this.opts.batchHandler && chunk.length >= this.chunkSize) {
        if (!(await flush())) return;
        if (overBudget()) return; // committed so far; the next fetch starts after lastSeen
      } else if (this.opts.handler && overBudget()) break;
    }
    if (this.opts.batchHandler) {
      if (!canGoOn() && chunk.length > 0) return; // leave the partial chunk for redelivery
      await flush();
      return;
    }
    await commit();
  }

  /** After a chunk of `events` took `ms`: the next chunks are sized to take at most half the budget. */
  private fitChunkSize(events: number, ms: number): void {
    const max = this.opts.maxBatchSize ?? 500;
    const perEvent = ms / Math.max(1, events);
    const fits = perEvent > 0 ? Math.floor(this.budgetMs / 2 / perEvent) : max;
    // Grows back at most twofold per chunk, so one quick chunk after a slow spell does not overshoot.
    this.chunkSize = Math.max(1, Math.min(max, fits, this.chunkSize * 2));
  }

  /** Heartbeats while `work` runs: a handler call longer than the session keeps this member in the group. */
  private async keepingAlive<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const beat = setInterval(() => void heartbeat().catch(() => undefined), Math.max(100, Math.floor(this.heartbeatIntervalMs / 2)));
    try {
      return await work();
    } finally {
      clearInterval(beat);
    }
  }

  private decode(topic: string, partition: number, msg: KafkaMessage): { event: ConsumedEvent<z.output<S>> } | { reason: string } {
    const headers = headersToStrings(msg.headers);
    if (msg.value === null) return { reason: 'empty value (tombstone) on a topic that carries events' };
    let json: unknown;
    try {
      json = JSON.parse(msg.value.toString()); // toString() without arguments: utf8, Node's shortest path
    } catch (err) {
      return { reason: `value is not JSON: ${(err as Error).message}` };
    }
    const parsed = this.opts.topic.schema.safeParse(json);
    if (!parsed.success) {
      return { reason: `contract ${this.opts.topic.name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}` };
    }
    const value = parsed.data as z.output<S>;
    if (headers.ce_type && headers.ce_type !== this.opts.topic.ceType) {
      return { reason: `ce_type ${headers.ce_type} is not ${this.opts.topic.ceType}` };
    }
    return {
      event: {
        value,
        key: msg.key ? msg.key.toString() : null,
        headers,
        topic,
        partition,
        offset: msg.offset,
        eventId: headers.ce_id ?? `${topic}/${partition}/${msg.offset}`,
      },
    };
  }

  /**
   * true when the work succeeded or was dead-lettered; false when the consumer is stopping.
   * `messages` is how many messages the work covers, so the counter counts messages, not chunks.
   */
  private async withRetry(work: () => Promise<void>, heartbeat: () => Promise<void>, canGoOn: () => boolean, toDeadLetter: (reason: string) => Promise<void>, messages = 1): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.keepingAlive(heartbeat, work);
        this.counter?.inc({ topic: this.opts.topic.name, outcome: 'handled' }, messages);
        return true;
      } catch (err) {
        if (err instanceof PermanentError) {
          await toDeadLetter(`handler rejected it: ${err.message}`);
          return true;
        }
        this.counter?.inc({ topic: this.opts.topic.name, outcome: 'retried' }, messages);
        const delay = backoffDelay(attempt, { baseMs: this.opts.retry?.baseMs ?? 200, maxMs: this.opts.retry?.maxMs ?? 15_000 });
        this.opts.logger.warn({ err, attempt, delay, topic: this.opts.topic.name }, 'handler failed; will retry');
        await sleep(delay, this.abort.signal);
        if (this.abort.signal.aborted || !canGoOn()) return false;
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async deadLetter(topic: string, partition: number, msg: KafkaMessage, reason: string): Promise<void> {
    const letter: DeadLetter = {
      originalTopic: topic,
      partition,
      offset: msg.offset,
      consumerGroup: this.groupId,
      reason,
      keyBase64: msg.key ? msg.key.toString('base64') : null,
      valueBase64: msg.value ? msg.value.toString('base64') : null,
      headers: headersToStrings(msg.headers),
      failedAt: new Date().toISOString(),
    };
    this.opts.logger.warn({ topic, partition, offset: msg.offset, reason }, 'message dead-lettered');
    // Deterministic id: a redelivered poison message makes the same dead letter, recognisable downstream.
    await this.opts.deadLetters.publish(Topics.deadLetter, letter, { id: `${this.groupId}/${topic}/${partition}/${msg.offset}` });
    this.counter?.inc({ topic: this.opts.topic.name, outcome: 'dead_lettered' });
  }
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  // Runs for every consumed message: no entry arrays; toString() without arguments is utf8 on Node's shortest path.
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = Buffer.isBuffer(first) ? first.toString() : String(first);
  }
  return out;
}
