import type { SshEvent } from '@watchkeeper/contracts';
import { CheckpointStore, FileFollower, fileIdText, lineEventId, type FollowPosition, type LineBatch } from '@watchkeeper/log-tailer';
import { SshdParser, type YearClockState } from '@watchkeeper/sshd-parser';
import { encodeSshEvent } from './ssh-event-encoder';
import { BatchShipper, MESSAGE_OVERHEAD_BYTES, type PreparedBatch, type ShipperDeps } from './batch-shipper';

export interface FileShipperDeps extends ShipperDeps {
  path: string;
  host: string;
  timeZone: string;
  pollMs: number;
  batchBytes: number;
  checkpoints: CheckpointStore;
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

  constructor(private readonly d: FileShipperDeps) {
    super(d);
    this.label = d.path;
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

  protected nextBatch(): Promise<LineBatch | undefined> {
    return this.follower!.next();
  }

  /**
   * Parses a batch and encodes its events once (contract check, JSON, CloudEvents headers) by the
   * producer's own encoder; an event that fails the contract is counted and logged, not sent.
   */
  protected prepare(batch: LineBatch): PreparedFileBatch {
    const { path, host, metrics, logger, producer } = this.d;
    const fileId = fileIdText(batch.identity);
    const before = { ...this.parser.counters };
    const messages: PreparedBatch['messages'] = [];
    for (const line of batch.lines) {
      const r = this.parser.parseLine(line.text);
      if (r.type !== 'event') continue;
      // The parser's event is a fresh object: completed in place (a spread copy per event was the
      // largest allocation of this loop), then the contract's zod parse makes the value sent.
      const event = r.event as SshEvent;
      event.id = lineEventId(host, fileId, line.offset);
      event.origin = { path, fileId, offset: line.offset };
      try {
        const message = encodeSshEvent(producer, event);
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

  protected async checkpoint(batch: PreparedFileBatch): Promise<void> {
    const { path, host, metrics } = this.d;
    const clock = batch.clock;
    await this.retry('checkpoint', () => this.d.checkpoints.save(host, path, batch.position, { clock }), () => metrics.checkpointFailures.inc({ path }));
    this.saved = { position: batch.position, clock };
    metrics.checkpointOffset.set({ path }, batch.position.offset);
    metrics.checkpointTime.set({ path }, Date.now() / 1000);
  }
}
