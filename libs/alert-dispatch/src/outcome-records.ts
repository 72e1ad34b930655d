import { Topics, type NotificationOutcome } from '@watchkeeper/contracts';
import { ContractViolation, PreEncodedRecord, sizeOfVarInt, writeVarInt } from '@watchkeeper/kafka';

const CHUNK_BYTES = 256 * 1024;

/**
 * Outcome events (one per alert and recipient, the dispatcher's largest Kafka output) written straight
 * into Kafka record bytes: the bytes EventProducer.publishMany + kafkajs give for the same events
 * (validated value as JSON, key = recipient, CloudEvents headers ce_specversion, ce_id, ce_source,
 * ce_type, ce_time, content-type, ce_subject), without a headers object per event and with the
 * constant header bytes made once. Only the fast produce path (libs/kafka fast-produce) can send
 * them: the engine uses this when that path is installed (the bin), EventProducer otherwise.
 * outcome-records.spec.ts compares the produce request with the one kafkajs writes.
 */
export class OutcomeRecordWriter {
  private readonly beforeId: Buffer;
  private readonly beforeTime: Buffer;
  private readonly beforeSubject: Buffer;
  private chunk: Buffer = Buffer.allocUnsafe(0);
  private used = 0;

  constructor(source: string) {
    this.beforeId = Buffer.concat([varInt(7), pair('ce_specversion', '1.0'), varBytes('ce_id')]);
    this.beforeTime = Buffer.concat([pair('ce_source', source), pair('ce_type', Topics.notifications.ceType), varBytes('ce_time')]);
    this.beforeSubject = Buffer.concat([pair('content-type', 'application/json'), varBytes('ce_subject')]);
  }

  /** Validated records for `outcomes`, all stamped `time` (the publish time, as EventProducer stamps it). */
  records(outcomes: readonly NotificationOutcome[], time: string): PreEncodedRecord[] {
    const out = new Array<PreEncodedRecord>(outcomes.length);
    for (let i = 0; i < outcomes.length; i++) {
      const parsed = Topics.notifications.schema.safeParse(outcomes[i]);
      if (!parsed.success) throw new ContractViolation(Topics.notifications.name, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
      const o = parsed.data;
      // EventProducer's PublishOptions as the engine gives them: id = outcome id, subject = fingerprint.
      out[i] = this.write(Topics.notifications.key(o), JSON.stringify(o), o.id, time, o.fingerprint);
    }
    return out;
  }

  private write(key: string, value: string, id: string, time: string, subject: string): PreEncodedRecord {
    const keyLen = Buffer.byteLength(key, 'utf8');
    const valueLen = Buffer.byteLength(value, 'utf8');
    const idLen = Buffer.byteLength(id, 'utf8');
    const timeLen = Buffer.byteLength(time, 'utf8');
    const subjectLen = Buffer.byteLength(subject, 'utf8');
    const size =
      sizeOfVarInt(keyLen) + keyLen + sizeOfVarInt(valueLen) + valueLen + this.beforeId.length + sizeOfVarInt(idLen) + idLen + this.beforeTime.length + sizeOfVarInt(timeLen) + timeLen + this.beforeSubject.length + sizeOfVarInt(subjectLen) + subjectLen;
    if (this.used + size > this.chunk.length) {
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, size));
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
    at += this.beforeSubject.copy(b, at);
    at = writeVarInt(b, at, subjectLen);
    at += b.write(subject, at, subjectLen, 'utf8');
    this.used = at;
    return new PreEncodedRecord(key, b, start, at);
  }
}

function varInt(v: number): Buffer {
  const b = Buffer.alloc(5);
  return b.subarray(0, writeVarInt(b, 0, v));
}
const varBytes = (s: string) => Buffer.concat([varInt(Buffer.byteLength(s, 'utf8')), Buffer.from(s, 'utf8')]);
const pair = (name: string, value: string) => Buffer.concat([varBytes(name), varBytes(value)]);
