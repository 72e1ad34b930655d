import { CheckpointStore, FileFollower, fileIdText, lineEventId, type FollowPosition, type LineBatch } from '@watchkeeper/log-tailer';
import { SshdParser, type YearClockState } from '@watchkeeper/sshd-parser';
import { fastProduceActive, type PreEncodedRecord } from '@watchkeeper/kafka';
import { encodeSshEvent } from './ssh-event-encoder';
import { EncodingWorker } from './encoding-worker';
import { contractParts, FileBatchEncoder, type ContractParts, type EncodedFileBatch } from './file-batch-encoder';
import { BatchShipper, MESSAGE_OVERHEAD_BYTES, type PreparedBatch, type ShipperDeps } from './batch-shipper';

/** A pre-encoded record's length, attributes and deltas, beyond its key, value and headers. */
const RECORD_OVERHEAD_BYTES = 12;

export interface FileShipperDeps extends ShipperDeps {
  path: string;
  host: string;
  timeZone: string;
  pollMs: number;
  batchBytes: number;
  checkpoints: CheckpointStore;
  /** Parse and encode in a worker thread (only with the fast produce request). */
  encodingWorker?: boolean;
}

/** A file batch parsed and encoded; `clock` is the parser's state right after its last line. */
interface PreparedFileBatch extends PreparedBatch {
  position: FollowPosition;
  clock: YearClockState;
}

/**
 * Ships one log file (see BatchShipper for the pipeline). Event ids are (host, file identity,
 * offset); the checkpoint is the file identity and offset, with the parser's year clock.
 */
export class FileShipper extends BatchShipper<LineBatch, PreparedFileBatch> {
  readonly label: string;
  private follower: FileFollower | undefined;
  private parser!: SshdParser;
  /** Last checkpoint written (or loaded): where to restart the follower after an unexpected error. */
  private saved: { position?: FollowPosition; clock?: YearClockState } = {};
  /**
   * With the fast produce request, lines become Kafka record bytes at once (FileBatchEncoder), in
   * this thread or in a worker; without it, kafkajs messages as before.
   */
  private readonly mode: 'kafkajs' | 'thread' | 'worker';
  private encoder: FileBatchEncoder | undefined;
  private worker: EncodingWorker | undefined;
  private contract: ContractParts | undefined;

  constructor(private readonly d: FileShipperDeps) {
    super(d);
    this.label = d.path;
    this.mode = !fastProduceActive() ? 'kafkajs' : d.encodingWorker ? 'worker' : 'thread';
  }

  async bytesBehind(): Promise<number> {
    return (await this.follower?.bytesBehind()) ?? 0;
  }

  protected async loadCheckpoint(): Promise<void> {
    const cp = await this.retry('load checkpoint', () => this.d.checkpoints.load(this.d.host, this.d.path), () => undefined);
    this.saved = { position: cp?.position, clock: cp?.state?.clock as YearClockState | undefined };
    if (cp) this.d.logger.info({ path: this.d.path, offset: cp.position.offset, file: fileIdText(cp.position.identity) }, 'resuming from checkpoint');
  }

  protected openSource(): void {
    const { path, metrics, logger } = this.d;
    this.parser = new SshdParser({ defaultHost: this.d.host, timeZone: this.d.timeZone, clock: this.saved.clock });
    const encoding = { host: this.d.host, path, timeZone: this.d.timeZone, source: this.d.source, clock: this.saved.clock, contract: (this.contract ??= contractParts()) };
    if (this.mode === 'thread') this.encoder = new FileBatchEncoder(encoding);
    if (this.mode === 'worker') {
      if (!this.worker || this.worker.dead) this.worker = new EncodingWorker();
      this.worker.open(encoding); // after any batch still in the worker from before a restart
    }
    this.follower = new FileFollower(path, this.saved.position, {
      pollMs: this.d.pollMs,
      maxBatchBytes: this.d.batchBytes,
      needle: 'sshd',
      onNotice: (n) => {
        if (n.type === 'rotated') metrics.rotations.inc({ path, how: n.how });
        if (n.type === 'lost') {
          metrics.lost.inc({ path });
          if (n.bytes > 0) metrics.lostBytes.inc({ path }, n.bytes);
          logger.warn({ path, ...n }, 'unread data could not be found after a rotation');
        } else logger.info({ path, ...n }, `file ${n.type}`);
      },
    });
  }

  protected async closeSource(): Promise<void> {
    await this.follower?.stop();
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.worker?.terminate();
  }

  protected nextBatch(): Promise<LineBatch | undefined> {
    return this.follower!.next();
  }

  /**
   * Parses a batch and encodes its events once (contract check, JSON, CloudEvents headers) by the
   * producer's own encoder; an event that fails the contract is counted and logged, not sent.
   */
  protected prepare(batch: LineBatch): PreparedFileBatch | Promise<PreparedFileBatch> {
    if (this.mode === 'thread') return this.prepared(batch, this.encoder!.encode(fileIdText(batch.identity), batch.lines));
    if (this.mode === 'worker') return this.worker!.encode(fileIdText(batch.identity), batch.lines).then((b) => this.prepared(batch, b));
    return this.prepareMessages(batch);
  }

  /** A batch encoded by FileBatchEncoder, with its metrics and the contract failures logged. */
  private prepared(batch: LineBatch, b: EncodedFileBatch): PreparedFileBatch {
    const { path, metrics, logger } = this.d;
    for (const bad of b.invalid) {
      metrics.invalid.inc({ path });
      logger.error({ path, offset: bad.offset, err: bad.error }, 'event does not match the contract; not sent');
    }
    const messages: PreparedBatch['messages'] = new Array(b.records.length);
    for (let i = 0; i < b.records.length; i++) {
      const r = b.records[i];
      messages[i] = { message: r, bytes: r.end - r.start + RECORD_OVERHEAD_BYTES };
    }
    metrics.linesRead.inc({ path }, batch.linesRead);
    metrics.sshdLines.inc({ path }, b.sshd);
    metrics.unrecognized.inc({ path }, b.unrecognized);
    return { position: batch.position, lines: batch.linesRead, messages, clock: b.clock };
  }

  /** Without the fast produce request: kafkajs messages, encoded by the producer's rules. */
  private prepareMessages(batch: LineBatch): PreparedFileBatch {
    const { path, host, metrics, logger, producer } = this.d;
    const fileId = fileIdText(batch.identity);
    const before = { ...this.parser.counters };
    const messages: PreparedBatch['messages'] = [];
    for (const line of batch.lines) {
      const r = this.parser.parseLine(line.text);
      if (r.type !== 'event') continue;
      const id = lineEventId(host, fileId, line.offset);
      try {
        const message = encodeSshEvent(producer, this.d.source, { ...r.event, id, origin: { path, fileId, offset: line.offset } }, id, r.event.time);
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

  /** The worker writes its next batches over the chunks of this one, which Kafka acknowledged. */
  protected override sent(batch: PreparedFileBatch): void {
    if (this.mode !== 'worker' || !this.worker) return;
    this.worker.recycle(batch.messages.map((m) => m.message as PreEncodedRecord));
  }

  protected async checkpoint(batch: PreparedFileBatch): Promise<void> {
    const { path, host, metrics } = this.d;
    const clock = batch.clock;
    await this.retry('checkpoint', () => this.d.checkpoints.save(host, path, batch.position, { clock }), () => metrics.checkpointFailures.inc({ path }));
    this.saved = { position: batch.position, clock };
    metrics.checkpointOffset.set({ path }, batch.position.offset);
    metrics.checkpointTime.set({ path }, Date.now() / 1000);
  }
}
