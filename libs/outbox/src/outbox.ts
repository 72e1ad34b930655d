import type { Connection, Model } from 'mongoose';
import type { z } from 'zod';
import type { TopicDef } from '@watchkeeper/contracts';
import { COLLECTIONS } from '@watchkeeper/dal';
import { outboxModel, type OutboxEntry } from '@watchkeeper/dal/shared';
import type { EventProducer, PublishOptions } from '@watchkeeper/kafka';
import { isDuplicateKey } from '@watchkeeper/mongo';
import { backoffDelay, prom, sleep, type Logger, type Registry } from '@watchkeeper/runtime';
import { OutboxSegments, OWNER_STALE_MS } from './segments';

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
  /**
   * Write to two per-process segment collections in turns and clear published entries by dropping a
   * whole segment (see OutboxSegments) instead of deleting them one batch at a time.
   */
  segmented?: boolean;
}

/** Runs on entries that were published and are about to be deleted; a failure keeps them stored (retried). */
export type BeforeDelete = (entries: OutboxEntry[]) => Promise<void>;

let counter = 0;
/** Entries kept in memory for the relay at most; beyond, it reads them back from MongoDB. */
const MEMORY_LIMIT = 20_000;
/** Entries retired (before-delete hooks, then one delete) together by the in-memory relay at most. */
const RETIRE_BATCH = 5000;

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
  private readonly beforeDelete: BeforeDelete[] = [];
  private readonly segments?: OutboxSegments;
  /** Without segments: ids this process stored and has not published yet (segments keep their own). */
  private readonly unpublished = new Set<string>();
  private ownerTimer?: NodeJS.Timeout;

  constructor(private readonly opts: OutboxOptions) {
    this.model = outboxModel(opts.conn, opts.collection);
    if (opts.segmented) this.segments = new OutboxSegments(opts.conn, opts.collection ?? COLLECTIONS.shared.outbox);
    const segments = this.segments;
    if (opts.registry) {
      this.published = new prom.Counter({ name: 'watchkeeper_outbox_published_total', help: 'Outbox entries published to Kafka', registers: [opts.registry] });
      this.failures = new prom.Counter({ name: 'watchkeeper_outbox_publish_failures_total', help: 'Failed attempts to publish outbox entries', registers: [opts.registry] });
      new prom.Gauge({
        name: 'watchkeeper_outbox_pending',
        help: 'Outbox entries waiting for Kafka',
        registers: [opts.registry],
        collect: async function (this: prom.Gauge) {
          // Segments hold published entries until dropped: this process's unpublished ones are counted in memory.
          const shared = await opts.conn.collection(opts.collection ?? COLLECTIONS.shared.outbox).estimatedDocumentCount().catch(() => -1);
          this.set(shared < 0 ? -1 : shared + (segments?.liveCount ?? 0));
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
    const segment = this.segments?.reserve(entries.map((e) => e._id));
    const target = segment === undefined ? this.model : this.segments!.models[segment];
    try {
      await this.serialized(() => target.collection.insertMany(entries as never[], { ordered: false }));
    } catch (err) {
      if (!isDuplicateKey(err)) {
        if (segment !== undefined) {
          this.segments!.failed(segment, entries.map((e) => e._id));
          this.toScanMode(); // the failed write may have landed: the relay reads the segments once
          this.kick();
        }
        throw err;
      }
    }
    if (!this.segments) for (const e of entries) this.unpublished.add(e._id);
    if (this.memory.length + entries.length <= MEMORY_LIMIT) this.memory.push(...entries);
    else this.toScanMode(); // far behind (Kafka slow): the entries are stored; a scan finds them
    this.kick();
  }

  /**
   * Work that must be durable before published entries are deleted (e.g. folding snapshots stored
   * only as outbox entries into their latest-per-key collection). Runs in publication order.
   */
  onBeforeDelete(hook: BeforeDelete): void {
    this.beforeDelete.push(hook);
  }

  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** True unless the last publish attempt failed. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  /**
   * Entries this process stored that the relay has not published yet, from memory (no query: read on
   * every request that would add to it). Entries other instances or a crash left are not counted.
   */
  get backlog(): number {
    return this.segments ? this.segments.liveCount : this.unpublished.size;
  }

  /** Entries stored and not yet published (segments: also published ones not yet dropped). */
  async pending(): Promise<number> {
    let n = 0;
    for (const m of await this.allCollections()) n += await m.countDocuments();
    return n;
  }

  /** Stored entries matching a filter, from every collection the outbox uses (readers of the log). */
  async findStored(filter: Record<string, unknown>, projection?: Record<string, 0 | 1>): Promise<OutboxEntry[]> {
    const out: OutboxEntry[] = [];
    for (const m of await this.allCollections()) out.push(...((await m.find(filter, projection).lean()) as OutboxEntry[]));
    return out;
  }

  /** The shared collection and every segment, of any instance, live or not (what readers must see). */
  private async allCollections(): Promise<Array<Model<OutboxEntry>>> {
    if (!this.segments) return [this.model];
    const prefix = this.segments.prefix;
    const names = (await this.opts.conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith(prefix));
    const own = this.segments.models.map((m) => m.collection.collectionName);
    return [this.model, ...this.segments.models, ...names.filter((n) => !own.includes(n)).map((n) => outboxModel(this.opts.conn, n))];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.segments) {
      const beat = () => void this.heartbeat().catch((err) => this.opts.logger.warn({ err: (err as Error).message }, 'outbox: owner heartbeat failed'));
      beat();
      this.ownerTimer = setInterval(beat, OWNER_STALE_MS / 6);
      this.ownerTimer.unref();
    }
    this.loop = this.run();
  }

  /** Stops the relay after the batch in hand; what is left waits in MongoDB for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.ownerTimer) clearInterval(this.ownerTimer);
    this.abort.abort();
    this.wake?.();
    await this.loop;
  }

  /**
   * Publishes everything stored now; resolves when the outbox was empty once (for tests and shutdown).
   * With segments: this process's are read too (what the relay holds in memory may be published twice;
   * consumers are idempotent), then their hooks run and they are dropped.
   */
  async drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const { count, complete } = await this.scanRound(true);
      total += count;
      if (complete) break;
    }
    if (this.segments?.verified) for (let i = 0; i < 2; i++) await this.recycle(true);
    return total;
  }

  /**
   * Publishes and deletes the oldest stored entries. `complete`: the read returned fewer than a
   * batch, so every entry stored before it is now published.
   */
  private async scanRound(includeOwn = false): Promise<{ count: number; complete: boolean }> {
    const limit = this.opts.batchSize ?? 500;
    const sources = includeOwn && this.segments ? [...new Set([...(await this.sources()), ...this.segments.models])] : await this.sources();
    const reads = await Promise.all(sources.map(async (m) => ({ m, entries: (await m.find().sort({ seq: 1 }).limit(limit).lean()) as OutboxEntry[] })));
    const from = new Map<string, Model<OutboxEntry>>();
    for (const r of reads) for (const e of r.entries) from.set(e._id, r.m);
    const batch = reads.flatMap((r) => r.entries).sort((a, b) => a.seq - b.seq).slice(0, limit);
    if (batch.length > 0) {
      await this.publish(batch);
      for (const hook of this.beforeDelete) await hook(batch);
      for (const m of sources) {
        const ids = batch.filter((e) => from.get(e._id) === m).map((e) => e._id);
        if (ids.length) await this.serialized(() => m.deleteMany({ _id: { $in: ids } }));
      }
      this.dropFromBacklog(batch);
      for (const e of batch) this.scanned.add(e._id);
      this.published?.inc(batch.length);
    }
    const total = reads.reduce((n, r) => n + r.entries.length, 0);
    return { count: batch.length, complete: reads.every((r) => r.entries.length < limit) && total === batch.length };
  }

  /** Publishes what this process stored since the last scan, in order, deleting each batch after. */
  private async drainMemory(): Promise<void> {
    while (this.memory.length && this.running) {
      // Published in Kafka-sized requests, retired together: the fold and the delete cost per call
      // far more than per entry, so a relay that fell behind catches up in bigger rounds.
      const batch = this.memory.slice(0, RETIRE_BATCH);
      const size = this.opts.batchSize ?? 500;
      for (let i = 0; i < batch.length; i += size) await this.publish(batch.slice(i, i + size));
      await this.retire(batch);
      // A failure above leaves them in `memory`; toScanMode() then drops them (they are still stored).
      this.memory.splice(0, batch.length);
      this.published?.inc(batch.length);
    }
  }

  /** The before-delete hooks, then the published entries leave the store. */
  private async retire(batch: OutboxEntry[]): Promise<void> {
    if (!this.segments) {
      for (const hook of this.beforeDelete) await hook(batch);
      await this.serialized(() => this.model.deleteMany({ _id: { $in: batch.map((e) => e._id) } }));
      this.dropFromBacklog(batch);
      return;
    }
    // Memory mode with segments: nothing is deleted one by one; a segment whose entries are all
    // published gets the hooks once (one fold per host per segment, not per batch) and is dropped whole.
    this.dropFromBacklog(batch);
    await this.recycle();
  }

  /** Published and retired: no longer part of the backlog. */
  private dropFromBacklog(batch: OutboxEntry[]): void {
    if (this.segments) this.segments.retired(batch);
    else for (const e of batch) this.unpublished.delete(e._id);
  }

  private async recycle(force = false): Promise<void> {
    if (!this.segments) return;
    for (const s of this.segments.recyclable(force)) {
      const m = this.segments.models[s];
      const published = this.segments.published(s);
      if (published.length) for (const hook of this.beforeDelete) await hook(published);
      await this.serialized(() => m.collection.drop().catch((err: { code?: number }) => {
        if (err.code !== 26) throw err; // NamespaceNotFound: never created (nothing was written), or dropped already
      }));
      this.segments.dropped(s);
    }
  }

  /** Where stored entries may be: the shared collection, this process's segments, and those of instances gone quiet. */
  private async sources(): Promise<Array<Model<OutboxEntry>>> {
    if (!this.segments) return [this.model];
    const seg = this.segments;
    const names = (await this.opts.conn.db!.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const own = new Set(seg.models.map((m) => m.collection.collectionName));
    const others = names.filter((n) => n.startsWith(seg.prefix) && !own.has(n));
    const orphans: Array<Model<OutboxEntry>> = [];
    if (others.length) {
      const owners = await this.opts.conn.collection(`${seg.base}_owners`).find({}).toArray();
      const seen = new Map(owners.map((o) => [String(o._id), (o.seenAt as Date).getTime()]));
      for (const n of others) {
        const id = n.slice(seg.prefix.length).replace(/_[01]$/, '');
        if (Date.now() - (seen.get(id) ?? 0) > OWNER_STALE_MS) orphans.push(outboxModel(this.opts.conn, n));
      }
    }
    // Own segments hold only entries this process knows of (in memory, or published) unless a failure
    // made that uncertain: then they are scanned too.
    return [this.model, ...(seg.verified ? [] : seg.models), ...orphans];
  }

  /** Tells other instances this process still owns its segments. */
  private async heartbeat(): Promise<void> {
    const seg = this.segments!;
    await this.serialized(() => this.opts.conn.collection(`${seg.base}_owners`).replaceOne({ _id: seg.instanceId as never }, { seenAt: new Date() }, { upsert: true }));
  }

  private toScanMode(): void {
    this.mode = 'scan';
    // The memory is dropped: the own segments must be scanned for what it held.
    if (this.segments) this.segments.verified = false;
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
          // Every segment now holds only entries this process knows of: drops are safe again.
          if (this.segments) {
            this.segments.verified = true;
            await this.recycle();
          }
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
        const rotateIn = this.segments?.rotateInMs() ?? Infinity;
        if (rotateIn < (this.opts.pollMs ?? 5000)) {
          // A segment is due to be rotated and dropped: do it when due rather than at the next poll.
          if (!(await this.idle(rotateIn + 10))) await this.recycle().catch((err) => this.opts.logger.warn({ err: (err as Error).message }, 'outbox: segment clean-up failed; retried'));
          continue;
        }
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
