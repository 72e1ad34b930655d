import { Topics } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';
import { backoffDelay, sleep, type Logger } from '@watchkeeper/runtime';
import type { CollectorMetrics } from './metrics';

/**
 * Bound of one produce request. All of a host's events share a key, hence a partition, hence one
 * record batch, which the broker refuses above message.max.bytes (1 MiB by default). kafkajs groups
 * a request's messages per partition by copying the partition's array for every message (time and
 * garbage quadratic in their number), so requests stay small; a batch's requests go out together.
 */
const SEND_MAX_EVENTS = 100;
const SEND_MAX_BYTES = 512 * 1024;
/** CloudEvents headers and record overhead per message, added to the JSON value's length. */
export const MESSAGE_OVERHEAD_BYTES = 300;
/**
 * Batches in flight at once: the next batch is read, parsed and encoded while the previous one is
 * sent and acknowledged (acks=all). Requests go out from the producer's own thread, which stays busy
 * as long as one batch waits; more batches would only hold more memory (each a few MB once encoded,
 * in both threads). Checkpoints follow the batches' order.
 */
const PIPELINE_DEPTH = 2;

export type { EncodedEvent } from './ssh-event-encoder';
import type { EncodedEvent } from './ssh-event-encoder';

/** A batch parsed and encoded, waiting for Kafka, with whatever its checkpoint needs. */
export interface PreparedBatch {
  lines: number;
  messages: Array<{ message: EncodedEvent; bytes: number }>;
}

export interface ShipperDeps {
  producer: EventProducer;
  /** CloudEvents source of the events (eventSource(host), as the producer's). */
  source: string;
  metrics: CollectorMetrics;
  logger: Logger;
}

/**
 * The pipeline every source shares: read a batch → parse and encode → publish (acks=all) →
 * checkpoint, with up to PIPELINE_DEPTH batches in flight. The checkpoint moves only after Kafka
 * acknowledged the batch and all batches before it, and event ids are deterministic, so a crash
 * anywhere replays at most the batches in flight, which consumers recognise. A stalled broker or
 * database stalls reading once PIPELINE_DEPTH batches wait (nothing else is buffered).
 */
export abstract class BatchShipper<B, P extends PreparedBatch> {
  protected stopping = false;
  private done: Promise<void> | undefined;
  protected readonly stopController = new AbortController();
  kafkaOk = true;

  /** The source's name in metrics and logs (a path, or the journal's name). */
  abstract readonly label: string;

  constructor(protected readonly base: ShipperDeps) {}

  /** Loads the checkpoint (retrying), then ships until stop(). */
  async start(): Promise<void> {
    await this.loadCheckpoint();
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.closeSource();
    await this.done;
  }

  protected abstract loadCheckpoint(): Promise<void>;
  /** (Re)opens the source at the last saved checkpoint. */
  protected abstract openSource(): void;
  protected abstract closeSource(): Promise<void>;
  /** The next batch; undefined once the source was stopped. */
  protected abstract nextBatch(): Promise<B | undefined>;
  protected abstract prepare(batch: B): P;
  /** Saves the batch's checkpoint (retrying); called in batch order, after Kafka acknowledged. */
  protected abstract checkpoint(batch: P): Promise<void>;
  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      /** Batches published or being published, oldest first; each settles after its checkpoint. */
      const inFlight: Array<Promise<void>> = [];
      /** The next batch, read and being prepared while the current one is published. */
      let next: Promise<{ prepared: P } | undefined> | undefined;
      try {
        this.openSource();
        const readAndPrepare = () => {
          const p = this.nextBatch().then((batch) => (batch ? { prepared: this.prepare(batch) } : undefined));
          p.catch(() => undefined); // awaited in turn; a failure meanwhile must not count as unhandled
          return p;
        };
        next = readAndPrepare();
        let previous: Promise<void> = Promise.resolve();
        for (;;) {
          const item = await next;
          next = undefined;
          if (!item) break;
          next = readAndPrepare();
          const prepared = item.prepared;
          const published = this.publish(prepared);
          // The checkpoint moves only after Kafka acknowledged this batch and everything before it.
          const before = previous;
          previous = (async () => {
            await published;
            await before;
            await this.checkpoint(prepared);
          })();
          previous.catch(() => undefined); // awaited below; a failure while reading goes on must not count as unhandled
          inFlight.push(previous);
          // A failure surfaces here at the latest, once the batch is the oldest in flight.
          while (inFlight.length >= PIPELINE_DEPTH) await inFlight.shift();
          attempt = 0;
        }
        while (inFlight.length > 0) await inFlight.shift();
        return;
      } catch (err) {
        // Whatever was in flight finishes (or fails) before reading starts over, so checkpoints never go back.
        await Promise.allSettled(inFlight);
        await this.closeSource();
        await next?.catch(() => undefined); // the read ahead ends with the source
        if (this.stopping) return;
        // Start over from the last checkpoint: the same ids come again, consumers drop them.
        this.base.logger.error({ err, source: this.label }, 'shipping failed; restarting from the last checkpoint');
        await sleep(backoffDelay(++attempt), this.stopController.signal);
      }
    }
  }

  /** Sends a batch's produce requests together; resolves when Kafka acknowledged all of them. */
  private async publish(batch: P): Promise<void> {
    const { metrics, logger, producer } = this.base;
    const path = this.label;
    const t0 = Date.now();
    await Promise.all(
      sendChunks(batch.messages).map(async (chunk) => {
        const messages = chunk.map((m) => m.message);
        await this.retry('publish', () => producer.send({ topic: Topics.sshEvents.name, messages }), () => {
          metrics.publishFailures.inc({ path });
          this.kafkaOk = false;
        });
        this.kafkaOk = true;
        metrics.eventsSent.inc({ path }, chunk.length);
      }),
    );
    logger.debug({ source: path, lines: batch.lines, events: batch.messages.length, publishMs: Date.now() - t0 }, 'batch published');
  }

  /** Retries until it works; on stop the batch is abandoned (it is replayed after a restart). */
  protected async retry<T>(what: string, fn: () => Promise<T>, onFailure: () => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        onFailure();
        if (this.stopping) throw new Error(`stopped while retrying ${what}`);
        const delay = backoffDelay(attempt, { maxMs: 5000 });
        this.base.logger.warn({ err, source: this.label, attempt, delay }, `${what} failed; retrying`);
        await sleep(delay, this.stopController.signal);
      }
    }
  }
}

/** Splits a batch into produce requests under SEND_MAX_EVENTS and SEND_MAX_BYTES each. */
export function sendChunks<T extends { bytes: number }>(items: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= SEND_MAX_EVENTS || bytes + item.bytes > SEND_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
