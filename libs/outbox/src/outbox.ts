import type { Connection, Model } from 'mongoose';
import type { z } from 'zod';
import type { TopicDef } from '@watchkeeper/contracts';
import type { EventProducer, PublishOptions } from '@watchkeeper/kafka';
import { isDuplicateKey } from '@watchkeeper/mongo';
import { backoffDelay, prom, sleep, type Logger, type Registry } from '@watchkeeper/runtime';
import { outboxModel, type OutboxEntry } from './outbox-model';

export interface OutboxOptions {
  conn: Connection;
  producer: EventProducer;
  logger: Logger;
  registry?: Registry;
  collection?: string;
  /** Entries published per Kafka request. */
  batchSize?: number;
  /** How often the relay looks for entries nobody kicked it for (left by a crash or another instance). */
  pollMs?: number;
  retry?: { baseMs?: number; maxMs?: number };
}

let counter = 0;
/** Entries kept in memory for the relay at most; beyond, it reads them back from MongoDB. */
const MEMORY_LIMIT = 20_000;

/**
 * Transactional-outbox light (MongoDB-wire servers without transactions): an event is first stored
 * here, next to the data it describes, and the caller answers once both are durable. A relay then
 * publishes entries in order and deletes them; while Kafka is down they simply wait, and a crash
 * between publish and delete re-publishes with the same CloudEvents id (consumers are idempotent).
 */
export class Outbox {
  readonly model: Model<OutboxEntry>;
  private running = false;
  private wake?: () => void;
  private kicked = false;
  private loop?: Promise<void>;
  private readonly abort = new AbortController();
  private readonly published?: prom.Counter;
  private readonly failures?: prom.Counter;
  private healthy = true;
  /** Writes to the outbox one at a time (see `serialized`). */
  private writeChain: Promise<unknown> = Promise.resolve();
  /**
   * Entries this process stored, in the order they became durable: while the relay is in `memory`
   * mode it publishes from here and only deletes from MongoDB — no scan per batch (on FerretDB/SQLite
   * the sorted scan cost more than the insert and the delete together). After a failure, at start and
   * when idle it reads MongoDB instead (`scan` mode), which also picks up what a crash or another
   * instance left.
   */
  private memory: OutboxEntry[] = [];
  private mode: 'scan' | 'memory' = 'scan';
  /** Ids published by scans since the last switch to memory mode (they may also be in `memory`). */
  private readonly scanned = new Set<string>();

  constructor(private readonly opts: OutboxOptions) {
    this.model = outboxModel(opts.conn, opts.collection);
    if (opts.registry) {
      this.published = new prom.Counter({ name: 'watchkeeper_outbox_published_total', help: 'Outbox entries published to Kafka', registers: [opts.registry] });
      this.failures = new prom.Counter({ name: 'watchkeeper_outbox_publish_failures_total', help: 'Failed attempts to publish outbox entries', registers: [opts.registry] });
      new prom.Gauge({
        name: 'watchkeeper_outbox_pending',
        help: 'Outbox entries waiting for Kafka',
        registers: [opts.registry],
        collect: async function (this: prom.Gauge) {
          this.set(await opts.conn.collection(opts.collection ?? 'outbox').estimatedDocumentCount().catch(() => -1));
        },
      });
    }
  }

  /** Validates and encodes an event for its topic; throws ContractViolation for a bad value. */
  entry<S extends z.ZodType>(topic: TopicDef<S>, value: z.input<S>, opts: PublishOptions & { id: string }): OutboxEntry {
    const msg = this.opts.producer.encode(topic, value, opts);
    return { _id: opts.id, topic: topic.name, key: msg.key, value: msg.value, headers: msg.headers, seq: Date.now() * 1000 + (counter++ % 1000), createdAt: new Date() };
  }

  /** Stores entries durably (an id already stored is the same event: kept once), then wakes the relay. */
  async add(entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.serialized(() => this.model.collection.insertMany(entries as never[], { ordered: false }));
    } catch (err) {
      const writeErrors = (err as { writeErrors?: Array<{ code?: number }> }).writeErrors;
      const onlyDuplicates = isDuplicateKey(err) && (!writeErrors || writeErrors.every((w) => w.code === 11000));
      if (!onlyDuplicates) throw err;
    }
    if (this.memory.length + entries.length <= MEMORY_LIMIT) this.memory.push(...entries);
    else this.toScanMode(); // far behind (Kafka slow): the entries are stored; a scan finds them
    this.kick();
  }

  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** True unless the last publish attempt failed. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  async pending(): Promise<number> {
    return this.model.countDocuments();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the relay after the batch in hand; what is left waits in MongoDB for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  /** Publishes everything stored now; resolves when the outbox was empty once (for tests and shutdown). */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const { count, complete } = await this.scanRound();
      total += count;
      if (complete) return total;
    }
  }

  /**
   * Publishes and deletes the oldest stored entries. `complete`: the read returned fewer than a
   * batch, so every entry stored before it is now published.
   */
  private async scanRound(): Promise<{ count: number; complete: boolean }> {
    const limit = this.opts.batchSize ?? 500;
    const batch = await this.model.find().sort({ seq: 1 }).limit(limit).lean();
    if (batch.length > 0) {
      await this.publish(batch);
      await this.serialized(() => this.model.deleteMany({ _id: { $in: batch.map((e) => e._id) } }));
      for (const e of batch) this.scanned.add(e._id);
      this.published?.inc(batch.length);
    }
    return { count: batch.length, complete: batch.length < limit };
  }

  /** Publishes what this process stored since the last scan, in order, deleting each batch after. */
  private async drainMemory(): Promise<void> {
    while (this.memory.length && this.running) {
      const batch = this.memory.slice(0, this.opts.batchSize ?? 500);
      await this.publish(batch);
      await this.serialized(() => this.model.deleteMany({ _id: { $in: batch.map((e) => e._id) } }));
      // A failure above leaves them in `memory`; toScanMode() then drops them (they are still stored).
      this.memory.splice(0, batch.length);
      this.published?.inc(batch.length);
    }
  }

  private toScanMode(): void {
    this.mode = 'scan';
    this.memory = [];
    this.scanned.clear();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.running) {
      this.kicked = false;
      try {
        if (this.mode === 'scan') {
          while (this.running && !(await this.scanRound()).complete);
          // Everything stored before the last read is published. What is in memory and was not
          // published by the scan was stored later, so memory mode keeps the order.
          this.memory = this.memory.filter((e) => !this.scanned.has(e._id));
          this.scanned.clear();
          this.mode = 'memory';
        }
        await this.drainMemory();
        attempt = 0;
        this.healthy = true;
      } catch (err) {
        attempt++;
        this.healthy = false;
        this.failures?.inc();
        this.toScanMode();
        const delay = backoffDelay(attempt, { baseMs: this.opts.retry?.baseMs ?? 500, maxMs: this.opts.retry?.maxMs ?? 15_000 });
        this.opts.logger.warn({ err: (err as Error).message, attempt, delay }, 'outbox: publish failed; entries stay stored and are retried');
        await sleep(delay, this.abort.signal);
        continue;
      }
      if (!this.kicked && this.memory.length === 0) {
        const woken = await this.idle(this.opts.pollMs ?? 5000);
        // Quiet for a whole poll interval: look at the store too (entries another instance left).
        if (!woken && this.memory.length === 0) this.mode = 'scan';
      }
    }
  }

  /** Waits for a kick (true) or `ms` (false). */
  private idle(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => done(false), ms);
      function done(woken: boolean) {
        clearTimeout(t);
        resolve(woken);
      }
      this.wake = () => {
        this.wake = undefined;
        done(true);
      };
    });
  }

  /**
   * FerretDB on SQLite has one writer per database: concurrent inserts and deletes make it answer
   * "database is locked" after waiting. Queuing them here costs nothing on MongoDB.
   */
  private serialized<T>(write: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(write, write);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** One Kafka request per run of consecutive entries of one topic, in seq order. */
  private async publish(entries: OutboxEntry[]): Promise<void> {
    await this.opts.producer.connect();
    for (let i = 0; i < entries.length; ) {
      let j = i;
      while (j < entries.length && entries[j].topic === entries[i].topic) j++;
      const run = entries.slice(i, j);
      await this.opts.producer.send({ topic: entries[i].topic, messages: run.map((e) => ({ key: e.key, value: e.value, headers: e.headers })) });
      i = j;
    }
  }
}
