import { Topics, type SshEvent } from '@watchkeeper/contracts';
// Modules, not the kafka index: the encoding worker must not load kafkajs.
import { ContractViolation } from '@watchkeeper/kafka/dist/errors';
import { CloudEventRecordWriter, type PreEncodedRecord } from '@watchkeeper/kafka/dist/pre-encoded-record';
import { lineEventId } from '@watchkeeper/log-tailer/dist/event-id';
import { checkedSshEventOf } from '@watchkeeper/sshd-parser/dist/ssh-event-check';
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

  constructor(private readonly o: FileBatchEncoderOptions) {
    this.parser = new SshdParser({ defaultHost: o.host, timeZone: o.timeZone, clock: o.clock });
    this.writer = new CloudEventRecordWriter(o.source, Topics.sshEvents.ceType);
  }

  encode(fileId: string, lines: ReadonlyArray<{ text: string; offset: number }>): EncodedFileBatch {
    const { host, path } = this.o;
    const counters = this.parser.counters;
    const sshd0 = counters.sshd;
    const unrecognized0 = counters.unrecognized;
    const records: PreEncodedRecord[] = [];
    const invalid: EncodedFileBatch['invalid'] = [];
    for (const line of lines) {
      const r = this.parser.parseLine(line.text);
      if (r.type !== 'event') continue;
      const id = lineEventId(host, fileId, line.offset);
      const origin = { path, fileId, offset: line.offset };
      const data = checkedSshEventOf(r.event, id, origin) ?? zodChecked({ ...r.event, id, origin }, invalid, line.offset);
      if (data) records.push(this.writer.write(Topics.sshEvents.key(data), JSON.stringify(data), id, r.event.time));
    }
    return { records, sshd: counters.sshd - sshd0, unrecognized: counters.unrecognized - unrecognized0, invalid, clock: this.parser.clockState() };
  }

  /** Starts a new chunk for the next batch's records (so a batch's chunks can be handed over whole). */
  newChunk(): void {
    this.writer.newChunk();
  }
}

/** What EventProducer.encode does with a value the hand check cannot vouch for: zod accepts it or names the problem. */
function zodChecked(value: SshEvent, invalid: EncodedFileBatch['invalid'], offset: number): SshEvent | undefined {
  const parsed = Topics.sshEvents.schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const err = new ContractViolation(Topics.sshEvents.name, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  invalid.push({ offset, error: err.message });
  return undefined;
}
