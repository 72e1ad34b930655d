import { sizeOfVarInt, writeVarInt } from './fast-record-encoder';

/**
 * A Kafka record whose key, value and headers are already bytes: the part of a RecordBatch v2 record
 * after its offset delta (key length, key, value length, value, header count, headers), in a slice
 * of a shared chunk. fast-produce writes it into the produce request as it is, adding the length,
 * attributes and deltas; nothing else can send it (kafkajs' own encoder would need the fields).
 * `key` stays a string for the partitioner; `value` only satisfies kafkajs' "message has a value" check.
 */
export class PreEncodedRecord {
  readonly value = '(pre-encoded record)';
  constructor(
    readonly key: string,
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}
}

const CHUNK_BYTES = 256 * 1024;
const MAX_SPARE = 32;

/**
 * Writes CloudEvents (binary mode, the headers of contracts' cloudEventHeaders in its order:
 * ce_specversion, ce_id, ce_source, ce_type, ce_time, content-type, and ce_subject when the writer
 * is made `withSubject`) as PreEncodedRecords: the constant parts are bytes made once, only the
 * value, id, time (and subject) are written per event.
 * cloud-event-records.spec.ts checks the bytes against the record kafkajs' encoder writes for the
 * same message.
 */
export class CloudEventRecordWriter {
  /** count, ce_specversion pair, ce_id name. */
  private readonly beforeId: Buffer;
  /** ce_source pair, ce_type pair, ce_time name. */
  private readonly beforeTime: Buffer;
  /** content-type pair (and the ce_subject name, withSubject). */
  private readonly after: Buffer;
  private readonly withSubject: boolean;
  private chunk: Buffer = Buffer.allocUnsafe(0);
  private used = 0;
  /** Chunks handed back once their records were sent (recycle()), used before allocating new ones. */
  private readonly spare: Buffer[] = [];

  constructor(source: string, type: string, opts: { withSubject?: boolean } = {}) {
    this.withSubject = opts.withSubject ?? false;
    this.beforeId = bytes((b) => [...varInt(this.withSubject ? 7 : 6), ...pair(b, 'ce_specversion', '1.0'), ...varBytes(b, 'ce_id')]);
    this.beforeTime = bytes((b) => [...pair(b, 'ce_source', source), ...pair(b, 'ce_type', type), ...varBytes(b, 'ce_time')]);
    this.after = bytes((b) => [...pair(b, 'content-type', 'application/json'), ...(this.withSubject ? varBytes(b, 'ce_subject') : [])]);
  }

  /** Records written from now on go to a new chunk (the previous ones may then be handed over whole). */
  newChunk(): void {
    this.chunk = Buffer.allocUnsafe(0);
    this.used = 0;
  }

  /**
   * Chunks whose records are sent (acknowledged) and referenced no more: written over by later
   * records instead of allocating (at 100 k events/s the chunks are ≈ 70 MB/s of buffers, which
   * otherwise wait for a garbage collection before their memory is freed).
   */
  recycle(chunks: Buffer[]): void {
    for (const c of chunks) if (c.length === CHUNK_BYTES && this.spare.length < MAX_SPARE) this.spare.push(c);
  }

  /** `subject` is written only by a writer made withSubject (and then required). */
  write(key: string, value: string, id: string, time: string, subject?: string): PreEncodedRecord {
    const keyLen = Buffer.byteLength(key, 'utf8');
    const valueLen = Buffer.byteLength(value, 'utf8');
    const idLen = Buffer.byteLength(id, 'utf8');
    const timeLen = Buffer.byteLength(time, 'utf8');
    if (this.withSubject && subject === undefined) throw new Error('CloudEventRecordWriter: this writer needs a subject for every record');
    const subjectLen = this.withSubject ? Buffer.byteLength(subject!, 'utf8') : 0;
    const size =
      sizeOfVarInt(keyLen) + keyLen + sizeOfVarInt(valueLen) + valueLen + this.beforeId.length + sizeOfVarInt(idLen) + idLen + this.beforeTime.length + sizeOfVarInt(timeLen) + timeLen + this.after.length +
      (this.withSubject ? sizeOfVarInt(subjectLen) + subjectLen : 0);
    if (this.used + size > this.chunk.length) {
      this.chunk = size <= CHUNK_BYTES && this.spare.length > 0 ? this.spare.pop()! : Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
      this.used = 0;
    }
    const b = this.chunk;
    const start = this.used;
    let at = writeVarInt(b, start, keyLen);
    at += b.write(key, at, keyLen, 'utf8');
    at = writeVarInt(b, at, valueLen);
    at += b.write(value, at, valueLen, 'utf8');
    at += this.beforeId.copy(b, at);
    at = writeVarInt(b, at, idLen);
    at += b.write(id, at, idLen, 'utf8');
    at += this.beforeTime.copy(b, at);
    at = writeVarInt(b, at, timeLen);
    at += b.write(time, at, timeLen, 'utf8');
    at += this.after.copy(b, at);
    if (this.withSubject) {
      at = writeVarInt(b, at, subjectLen);
      at += b.write(subject!, at, subjectLen, 'utf8');
    }
    this.used = at;
    return new PreEncodedRecord(key, b, start, at);
  }
}

type Bytes = (b: typeof Buffer) => number[];
const bytes = (f: Bytes) => Buffer.from(f(Buffer));
function varInt(v: number): number[] {
  const b = Buffer.alloc(5);
  return [...b.subarray(0, writeVarInt(b, 0, v))];
}
const varBytes = (b: typeof Buffer, s: string) => [...varInt(b.byteLength(s, 'utf8')), ...b.from(s, 'utf8')];
const pair = (b: typeof Buffer, name: string, value: string) => [...varBytes(b, name), ...varBytes(b, value)];
