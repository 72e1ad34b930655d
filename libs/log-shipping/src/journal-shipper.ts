import { JournalCursorStore, JournalFollower, journalEventId, type JournalBatch, type JournalFollowerOptions } from '@watchkeeper/log-tailer';
import { SshdParser } from '@watchkeeper/sshd-parser';
import { encodeSshEvent } from './ssh-event-encoder';
import { BatchShipper, MESSAGE_OVERHEAD_BYTES, type PreparedBatch, type ShipperDeps } from './batch-shipper';

export interface JournalShipperDeps extends ShipperDeps {
  host: string;
  timeZone: string;
  /** Where journalctl reads (system journal, a directory or files) and which identifiers it keeps. */
  journal: JournalFollowerOptions;
  cursors: JournalCursorStore;
}

interface PreparedJournalBatch extends PreparedBatch {
  cursor: string;
  /** Journal time of the batch's last entry (µs since the epoch). */
  realtimeUs: string;
}

/** Names the journal a cursor belongs to, so a changed --directory/--file does not reuse a cursor. */
export function journalSourceName(j: JournalFollowerOptions): string {
  if (j.directory) return `journald:dir=${j.directory}`;
  if (j.files?.length) return `journald:files=${j.files.join(',')}`;
  return 'journald:system';
}

/**
 * Ships sshd's journal entries (see BatchShipper for the pipeline): the same parser as for auth.log
 * lines, fed the entry's fields instead of a syslog header. Event ids are (host, cursor); the
 * checkpoint is the cursor of the batch's last entry, saved only after Kafka acknowledged the batch.
 */
export class JournalShipper extends BatchShipper<JournalBatch, PreparedJournalBatch> {
  readonly label: string;
  private follower: JournalFollower | undefined;
  private parser!: SshdParser;
  private cursor: string | undefined;
  private malformedSeen = 0;

  constructor(private readonly d: JournalShipperDeps) {
    super(d);
    this.label = journalSourceName(d.journal);
  }

  protected async loadCheckpoint(): Promise<void> {
    const cp = await this.retry('load checkpoint', () => this.d.cursors.load(this.d.host, this.label), () => undefined);
    this.cursor = cp?.cursor;
    this.d.logger.info({ source: this.label, cursor: this.cursor ?? null }, cp ? 'resuming the journal after the saved cursor' : 'no saved cursor: reading the whole journal');
  }

  protected openSource(): void {
    this.parser = new SshdParser({ defaultHost: this.d.host, timeZone: this.d.timeZone });
    this.follower = new JournalFollower(this.cursor, this.d.journal);
    this.malformedSeen = 0;
  }

  protected async closeSource(): Promise<void> {
    await this.follower?.stop();
  }

  protected nextBatch(): Promise<JournalBatch | undefined> {
    return this.follower!.next();
  }

  protected prepare(batch: JournalBatch): PreparedJournalBatch {
    const { host, metrics, logger, producer } = this.d;
    const path = this.label;
    const before = { ...this.parser.counters };
    const gap = this.follower!.takeGap();
    if (gap) {
      // Entries after the checkpoint were removed (journal vacuum, file deleted) before they were read.
      metrics.lost.inc({ path });
      logger.error({ source: path, ...gap }, 'the saved journal entry is gone: entries written after it were removed before they were read (lost); resuming with the first entry still there');
    }
    const messages: PreparedBatch['messages'] = [];
    for (const e of batch.entries) {
      const r = this.parser.parseMessage({
        host: e.hostname,
        // journald keeps the syslog tag in SYSLOG_IDENTIFIER; _COMM is the executable's name.
        program: e.identifier ?? e.comm ?? '',
        pid: e.pid,
        timeMs: Number(e.realtimeUs) / 1000,
        timeText: e.realtimeUs,
        message: e.message,
      });
      if (r.type !== 'event') continue;
      const id = journalEventId(host, e.cursor);
      try {
        const message = encodeSshEvent(producer, { ...r.event, id });
        messages.push({ message, bytes: message.value.length + MESSAGE_OVERHEAD_BYTES });
      } catch (err) {
        metrics.invalid.inc({ path });
        logger.error({ source: path, cursor: e.cursor, err }, 'event does not match the contract; not sent');
      }
    }
    metrics.linesRead.inc({ path }, batch.entries.length);
    metrics.sshdLines.inc({ path }, this.parser.counters.sshd - before.sshd);
    metrics.unrecognized.inc({ path }, this.parser.counters.unrecognized - before.unrecognized);
    const malformed = this.follower!.malformed - this.malformedSeen;
    if (malformed > 0) {
      this.malformedSeen += malformed;
      metrics.journalMalformed.inc({ path }, malformed);
      logger.warn({ source: path, malformed }, 'journalctl printed lines that are not journal entries');
    }
    return { cursor: batch.cursor, realtimeUs: batch.entries[batch.entries.length - 1].realtimeUs, lines: batch.entries.length, messages };
  }

  protected async checkpoint(batch: PreparedJournalBatch): Promise<void> {
    const { host, metrics } = this.d;
    await this.retry('checkpoint', () => this.d.cursors.save(host, this.label, batch.cursor), () => metrics.checkpointFailures.inc({ path: this.label }));
    this.cursor = batch.cursor;
    metrics.journalCheckpointTime.set({ path: this.label }, Number(batch.realtimeUs) / 1e6);
    metrics.checkpointTime.set({ path: this.label }, Date.now() / 1000);
  }
}
