import type { SshEvent } from '@watchkeeper/contracts';
// Modules, not the kafka index: the encoding worker must not load kafkajs.
import { ContractViolation } from '@watchkeeper/kafka/dist/errors';
import { CloudEventRecordWriter, type PreEncodedRecord } from '@watchkeeper/kafka/dist/pre-encoded-record';
import { lineEventId } from '@watchkeeper/log-tailer/dist/event-id';
import { createSshEventCheck, type SshEventCheck } from '@watchkeeper/sshd-parser/dist/ssh-event-check-core';
import { SshdParser } from '@watchkeeper/sshd-parser/dist/sshd-parser';
import type { YearClockState } from '@watchkeeper/sshd-parser/dist/year-clock';

export interface FileBatchEncoderOptions {
  host: string;
  path: string;
  timeZone: string;
  /** CloudEvents source (eventSource(host)). */
  source: string;
  /** The parser's year clock from the checkpoint the read resumes at. */
  clock?: YearClockState;
  /**
   * From the contract (contractParts()), passed in so that an encoding worker does not load zod
   * (≈ 12 MB of its memory): the ssh-events CloudEvents type, the event kinds and zod's date-time pattern.
   */
  contract: ContractParts;
}

export interface ContractParts {
  ceType: string;
  kinds: readonly string[];
  isoPattern: RegExp | undefined;
}

/** The parts of the SshEvent contract FileBatchEncoder needs (in the thread that has loaded the contracts). */
export function contractParts(): ContractParts {
  // Required here, not imported: the worker loads this module and must not load the contracts.
  const { Topics } = require('@watchkeeper/contracts') as typeof import('@watchkeeper/contracts');
  const check = require('@watchkeeper/sshd-parser/dist/ssh-event-check') as typeof import('@watchkeeper/sshd-parser/dist/ssh-event-check');
  return { ceType: Topics.sshEvents.ceType, kinds: check.SSH_EVENT_KINDS, isoPattern: check.SSH_EVENT_ISO_PATTERN };
}

/** One batch of a file, parsed and written as Kafka records. */
export interface EncodedFileBatch {
  records: PreEncodedRecord[];
  /** sshd lines and unrecognised sshd lines in the batch (for the metrics). */
  sshd: number;
  unrecognized: number;
  /** Events that failed the contract: counted and logged, not sent. */
  invalid: Array<{ offset: number; error: string }>;
  /** The parser's year clock after the batch's last line (stored with its checkpoint). */
  clock: YearClockState;
}

/**
 * Parses a file's lines into SshEvents and writes each straight into a Kafka record (key, JSON value,
 * CloudEvents headers — the bytes EventProducer.encode + kafkajs would give, see
 * ssh-event-encoder.spec.ts and libs/kafka pre-encoded-record.spec.ts). Pure apart from its parser's
 * state across batches; runs in the collector's thread or in its encoding worker (prepare-worker.ts).
 */
export class FileBatchEncoder {
  private readonly parser: SshdParser;
  private readonly writer: CloudEventRecordWriter;
  private readonly check: SshEventCheck;

  constructor(private readonly o: FileBatchEncoderOptions) {
    this.parser = new SshdParser({ defaultHost: o.host, timeZone: o.timeZone, clock: o.clock });
    this.writer = new CloudEventRecordWriter(o.source, o.contract.ceType);
    this.check = createSshEventCheck(o.contract.kinds, o.contract.isoPattern);
  }

  encode(fileId: string, lines: ReadonlyArray<{ text: string; offset: number }>): EncodedFileBatch {
    return this.encodeTexts(
      fileId,
      lines.map((l) => l.text),
      lines.map((l) => l.offset),
    );
  }

  /** `encode` of lines given as texts and their byte offsets (the worker's form: no object per line). */
  encodeTexts(fileId: string, texts: readonly string[], offsets: ArrayLike<number>): EncodedFileBatch {
    const { host, path } = this.o;
    const counters = this.parser.counters;
    const sshd0 = counters.sshd;
    const unrecognized0 = counters.unrecognized;
    const records: PreEncodedRecord[] = [];
    const invalid: EncodedFileBatch['invalid'] = [];
    for (let i = 0; i < texts.length; i++) {
      const r = this.parser.parseLine(texts[i]);
      if (r.type !== 'event') continue;
      const offset = offsets[i];
      const id = lineEventId(host, fileId, offset);
      const origin = { path, fileId, offset };
      const data = this.check.checkedSshEventOf(r.event, id, origin) ?? zodChecked({ ...r.event, id, origin }, invalid, offset);
      // The key as Topics.sshEvents.key gives it: the event's host (file-batch-encoder.spec.ts compares).
      if (data) records.push(this.writer.write(data.host, JSON.stringify(data), id, r.event.time));
    }
    return { records, sshd: counters.sshd - sshd0, unrecognized: counters.unrecognized - unrecognized0, invalid, clock: this.parser.clockState() };
  }

  /** Starts a new chunk for the next batch's records (so a batch's chunks can be handed over whole). */
  newChunk(): void {
    this.writer.newChunk();
  }

  /** Chunks of batches that were sent, to write over (see CloudEventRecordWriter.recycle). */
  recycle(chunks: Buffer[]): void {
    this.writer.recycle(chunks);
  }
}

/** What EventProducer.encode does with a value the hand check cannot vouch for: zod accepts it or names the problem. */
function zodChecked(value: SshEvent, invalid: EncodedFileBatch['invalid'], offset: number): SshEvent | undefined {
  // Required here, not imported: zod loads only if an event ever needs it.
  const { Topics } = require('@watchkeeper/contracts') as typeof import('@watchkeeper/contracts');
  const parsed = Topics.sshEvents.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const err = new ContractViolation(Topics.sshEvents.name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  invalid.push({ offset, error: err.message });
  return undefined;
}
