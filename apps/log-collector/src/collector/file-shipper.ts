import { Topics } from '@watchkeeper/contracts';
import type { EventProducer } from '@watchkeeper/kafka';
import { CheckpointStore, FileFollower, fileIdText, lineEventId, type FollowPosition, type LineBatch } from '@watchkeeper/log-tailer';
import { backoffDelay, type Logger } from '@watchkeeper/runtime';
import { SshdParser, type YearClockState } from '@watchkeeper/sshd-parser';
import type { CollectorMetrics } from './metrics';

export interface FileShipperDeps {
  path: string;
  host: string;
  timeZone: string;
  pollMs: number;
  batchBytes: number;
  producer: EventProducer;
  checkpoints: CheckpointStore;
  metrics: CollectorMetrics;
  logger: Logger;
}

/**
 * Bound of one produce request. All of a host's events share a key, hence a partition, hence one
 * record batch, which the broker refuses above message.max.bytes (1 MiB by default).
 */
const SEND_MAX_EVENTS = 250;
const SEND_MAX_BYTES = 512 * 1024;
/** CloudEvents headers and record overhead per message, added to the JSON value's length. */
const MESSAGE_OVERHEAD_BYTES = 300;
/**
 * Batches in flight at once: the next batch is read, parsed and encoded while the previous one waits
 * for its acknowledgement (≈ 250 ms with acks=all), which would otherwise leave the process idle.
 * Checkpoints still follow the batches' order; memory stays bounded by this many batches.
 */
const PIPELINE_DEPTH = 2;

type EncodedEvent = ReturnType<EventProducer['encode']>;

/** A batch parsed and encoded, waiting for Kafka; `clock` is the parser's state right after its last line. */
interface PreparedBatch {
  position: FollowPosition;
  lines: number;
  messages: Array<{ message: EncodedEvent; bytes: number }>;
  clock: YearClockState;
}

/**
 * Ships one file: follow → parse → publish (acks=all) → checkpoint, with up to PIPELINE_DEPTH batches
 * in flight. The checkpoint moves only after Kafka acknowledged the batch and all batches before it,
 * and event ids are (host, file identity, offset), so a crash anywhere replays at most the batches in
 * flight, which consumers recognise. A stalled broker or database stalls reading once
 * PIPELINE_DEPTH batches wait (nothing else is buffered).
 */
export class FileShipper {
  private follower: FileFollower | undefined;
  private parser!: SshdParser;
  private stopping = false;
  private done: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  /** Last checkpoint written (or loaded): where to restart the follower after an unexpected error. */
  private saved: { position?: FollowPosition; clock?: YearClockState } = {};
  kafkaOk = true;

  constructor(private readonly d: FileShipperDeps) {}

  async start(): Promise<void> {
    const cp = await this.retry('load checkpoint', () => this.d.checkpoints.load(this.d.host, this.d.path), () => undefined);
    this.saved = { position: cp?.position, clock: cp?.state?.clock as YearClockState | undefined };
    if (cp) this.d.logger.info({ path: this.d.path, offset: cp.position.offset, file: fileIdText(cp.position.identity) }, 'resuming from checkpoint');
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.follower?.stop();
    await this.done;
  }

  async bytesBehind(): Promise<number> {
    return (await this.follower?.bytesBehind()) ?? 0;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      /** Batches published or being published, oldest first; each settles after its checkpoint. */
      const inFlight: Array<Promise<void>> = [];
      try {
        this.openFollower();
        let previous: Promise<void> = Promise.resolve();
        for (;;) {
          const batch = await this.follower!.next();
          if (!batch) break;
          const prepared = this.prepare(batch);
          const published = this.publish(prepared);
          // The checkpoint moves only after Kafka acknowledged this batch and everything before it.
          const before = previous;
          previous = (async () => {
            await Promise.all([published, before]);
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
        if (this.stopping) return;
        // Start over from the last checkpoint: the same ids come again, consumers drop them.
        this.d.logger.error({ err, path: this.d.path }, 'file shipping failed; restarting from the last checkpoint');
        await this.follower?.stop();
        await abortableSleep(backoffDelay(++attempt), this.stopController.signal);
      }
    }
  }

  private openFollower(): void {
    const { path, metrics, logger } = this.d;
    this.parser = new SshdParser({ defaultHost: this.d.host, timeZone: this.d.timeZone, clock: this.saved.clock });
    this.follower = new FileFollower(path, this.saved.position, {
      pollMs: this.d.pollMs,
      maxBatchBytes: this.d.batchBytes,
      needle: 'sshd',
      onNotice: (n) => {
        if (n.type === 'rotated') metrics.rotations.inc({ path, how: n.how });
        if (n.type === 'lost') {
          metrics.lost.inc({ path });
          logger.warn({ path, ...n }, 'unread data could not be found after a rotation');
        } else logger.info({ path, ...n }, `file ${n.type}`);
      },
    });
  }

  /**
   * Parses a batch and encodes its events once (contract check, JSON, CloudEvents headers) by the
   * producer's own encoder; an event that fails the contract is counted and logged, not sent.
   */
  private prepare(batch: LineBatch): PreparedBatch {
    const { path, host, metrics, logger, producer } = this.d;
    const fileId = fileIdText(batch.identity);
    const before = { ...this.parser.counters };
    const messages: PreparedBatch['messages'] = [];
    for (const line of batch.lines) {
      const r = this.parser.parseLine(line.text);
      if (r.type !== 'event') continue;
      const id = lineEventId(host, fileId, line.offset);
      try {
        const message = producer.encode(Topics.sshEvents, { ...r.event, id, origin: { path, fileId, offset: line.offset } }, { id, time: r.event.time });
        messages.push({ message, bytes: message.value.length + MESSAGE_OVERHEAD_BYTES });
      } catch (err) {
        metrics.invalid.inc({ path });
        logger.error({ path, offset: line.offset, err }, 'event does not match the contract; not sent');
      }
    }
    metrics.linesRead.inc({ path }, batch.linesRead);
    metrics.sshdLines.inc({ path }, this.parser.counters.sshd - before.sshd);
    metrics.unrecognized.inc({ path }, this.parser.counters.unrecognized - before.unrecognized);
    return { position: batch.position, lines: batch.linesRead, messages, clock: this.parser.clockState() };
  }

  /** Sends a batch's produce requests together; resolves when Kafka acknowledged all of them. */
  private async publish(batch: PreparedBatch): Promise<void> {
    const { path, metrics, logger, producer } = this.d;
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
    logger.debug({ path, lines: batch.lines, events: batch.messages.length, publishMs: Date.now() - t0 }, 'batch published');
  }

  private async checkpoint(batch: PreparedBatch): Promise<void> {
    const { path, host, metrics } = this.d;
    const clock = batch.clock;
    await this.retry('checkpoint', () => this.d.checkpoints.save(host, path, batch.position, { clock }), () => metrics.checkpointFailures.inc({ path }));
    this.saved = { position: batch.position, clock };
    metrics.checkpointOffset.set({ path }, batch.position.offset);
  }

  /** Retries until it works; on stop the batch is abandoned (it is replayed after a restart). */
  private async retry<T>(what: string, fn: () => Promise<T>, onFailure: () => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        onFailure();
        if (this.stopping) throw new Error(`stopped while retrying ${what}`);
        const delay = backoffDelay(attempt, { maxMs: 5000 });
        this.d.logger.warn({ err, path: this.d.path, attempt, delay }, `${what} failed; retrying`);
        await abortableSleep(delay, this.stopController.signal);
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

/** Like the runtime's sleep, but removes its abort listener when the time is up (retries add many). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
