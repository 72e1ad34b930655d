import { crc32c } from './crc32c';
import { EncodedRecord, encodeRecord, installFastRecordEncoder, kafkajsPaths, kafkajsVersionProblem, sizeOfVarInt, writeVarInt, type RecordInput } from './fast-record-encoder';
import { PreEncodedRecord } from './pre-encoded-record';

/**
 * The produce path of kafkajs 2.2.4, made cheaper where it costs most per message, byte for byte the
 * same (fast-produce.spec.ts compares the requests with kafkajs' own):
 *  - produce request (v3, which v4–v7 reuse): kafkajs encodes every record, then copies them into a
 *    growing Encoder per batch, per partition, per topic and per request, and checksums the batch one
 *    byte at a time. Here the request is sized first and written once into one Buffer, with a
 *    slice-by-8 CRC32C. Anything outside the plain shape (compression, message timestamps) goes to
 *    kafkajs' encoder.
 *  - groupMessagesPerPartition: kafkajs copies the partition's array for every message (quadratic in
 *    the messages of a request); here each message is appended once, same result.
 * Installed through the require cache like fast-record-encoder, only on the checked kafkajs version,
 * and the grouping only before kafkajs' producer module is loaded (it captures the function).
 */
type ProduceArgs = {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence?: number; messages: Array<RecordInput & { timestamp?: unknown }> }> }>;
};
type ProduceRequest = { encode: () => Promise<unknown> } & Record<string, unknown>;
type KafkajsProduceV3 = (args: ProduceArgs) => ProduceRequest;
type KafkajsRecord = Parameters<typeof encodeRecord>[1];
type LongLike = { getHighBits(): number; getLowBits(): number };
type LongClass = { fromValue(v: unknown): LongLike; fromInt(v: number): LongLike };

/**
 * kafkajs' protocol/request.js (the request header before the payload: size, api key and version,
 * correlation id, client id) written into one exactly-sized Buffer: kafkajs copies the payload twice
 * into zero-filled Encoders of the next power of two (2 MiB allocated for a 512 KiB produce request).
 */
export async function frameRequest({
  correlationId,
  clientId,
  request: { apiKey, apiVersion, encode },
}: {
  correlationId: number;
  clientId: string | null;
  request: { apiKey: number; apiVersion: number; encode: () => Promise<unknown> };
}): Promise<EncodedRecord> {
  const payload = (await encode()) as { buf?: unknown; buffer: Buffer };
  if (payload == null || !Buffer.isBuffer(payload.buf)) throw new Error('value should be an instance of Encoder'); // kafkajs' own check
  const body = payload.buffer;
  const idLen = clientId == null ? 0 : Buffer.byteLength(clientId, 'utf8');
  const size = 2 + 2 + 4 + 2 + idLen + body.length;
  const buf = Buffer.allocUnsafe(4 + size);
  let at = buf.writeInt32BE(size, 0);
  at = buf.writeInt16BE(apiKey, at);
  at = buf.writeInt16BE(apiVersion, at);
  at = buf.writeInt32BE(correlationId, at);
  at = writeStr16(buf, at, clientId);
  body.copy(buf, at);
  return new EncodedRecord(buf);
}

/** Writes the produce request payload (after the request header) in one Buffer; undefined when kafkajs must. */
export function encodeProducePayload(args: ProduceArgs, now: number, record: KafkajsRecord, Long: LongClass): EncodedRecord | undefined {
  const compression = args.compression ?? 0;
  if (compression !== 0) return undefined;
  const transactionalId = args.transactionalId ?? null;
  const producerId = Long.fromValue(args.producerId ?? Long.fromInt(-1));
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = transactionalId ? 16 : 0;

  // Pass 1: every record's bytes (or its pre-encoded tail) and every size.
  const recordsOf: Array<Array<Buffer | PreEncodedRecord>> = [];
  const sizesOf: number[] = [];
  let size = str16Size(transactionalId) + 2 + 4 + 4;
  for (const t of args.topicData) {
    size += str16Size(t.topic) + 4;
    for (const p of t.partitions) {
      const recs: Array<Buffer | PreEncodedRecord> = new Array(p.messages.length);
      let recordsSize = 0;
      for (let i = 0; i < p.messages.length; i++) {
        const m = p.messages[i];
        if (m instanceof PreEncodedRecord) {
          recs[i] = m;
          recordsSize += preEncodedSize(m, i);
          continue;
        }
        if (m.timestamp != null) return undefined; // kafkajs sorts and subtracts timestamps: its own path
        const input: RecordInput = { key: m.key, value: m.value, headers: m.headers, offsetDelta: i, timestampDelta: 0 };
        const r = encodeRecord(input, record) as { buffer: Buffer };
        recs[i] = r.buffer;
        recordsSize += r.buffer.length;
      }
      recordsOf.push(recs);
      sizesOf.push(recordsSize);
      // partition, batch size; firstOffset, length; epoch, magic, crc; body (49 bytes + records).
      size += 4 + 4 + 8 + 4 + 4 + 1 + 4 + BODY_HEADER + recordsSize;
    }
  }

  // Pass 2: write.
  const buf = Buffer.allocUnsafe(size);
  let at = writeStr16(buf, 0, transactionalId);
  at = buf.writeInt16BE(args.acks, at);
  at = buf.writeInt32BE(args.timeout, at);
  at = buf.writeInt32BE(args.topicData.length, at);
  let k = 0;
  for (const t of args.topicData) {
    at = writeStr16(buf, at, t.topic);
    at = buf.writeInt32BE(t.partitions.length, at);
    for (const p of t.partitions) {
      const recs = recordsOf[k];
      const recordsSize = sizesOf[k++];
      const batchLength = 4 + 1 + 4 + BODY_HEADER + recordsSize; // what RecordBatch writes with writeBytes
      at = buf.writeInt32BE(p.partition, at);
      at = buf.writeInt32BE(8 + 4 + batchLength, at);
      at = buf.writeInt32BE(0, at); // firstOffset (int64 0)
      at = buf.writeInt32BE(0, at);
      at = buf.writeInt32BE(batchLength, at);
      at = buf.writeInt32BE(0, at); // partitionLeaderEpoch
      at = buf.writeInt8(2, at); // magic
      const crcAt = at;
      at += 4;
      const bodyStart = at;
      at = buf.writeInt16BE(attributes, at);
      at = buf.writeInt32BE(recs.length - 1, at); // lastOffsetDelta
      at = writeInt64(buf, at, Long.fromValue(now)); // firstTimestamp
      at = writeInt64(buf, at, Long.fromValue(now)); // maxTimestamp
      at = writeInt64(buf, at, producerId);
      at = buf.writeInt16BE(producerEpoch, at);
      at = buf.writeInt32BE(p.firstSequence ?? 0, at);
      at = buf.writeInt32BE(recs.length, at);
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i];
        at = r instanceof PreEncodedRecord ? writePreEncoded(buf, at, r, i) : at + r.copy(buf, at);
      }
      buf.writeUInt32BE(crc32c(buf, bodyStart, at), crcAt);
    }
  }
  if (at !== size) return undefined; // cannot happen; kafkajs' bytes rather than wrong ones
  return new EncodedRecord(buf);
}

/** A pre-encoded record at offset delta i: length, attributes 0, timestamp delta 0, offset delta, tail. */
function preEncodedSize(r: PreEncodedRecord, i: number): number {
  const body = 2 + sizeOfVarInt(i) + (r.end - r.start);
  return sizeOfVarInt(body) + body;
}

function writePreEncoded(buf: Buffer, at: number, r: PreEncodedRecord, i: number): number {
  at = writeVarInt(buf, at, 2 + sizeOfVarInt(i) + (r.end - r.start));
  buf[at++] = 0; // attributes
  buf[at++] = 0; // timestamp delta (zig-zag varlong 0): records without their own timestamp
  at = writeVarInt(buf, at, i);
  return at + r.buf.copy(buf, at, r.start, r.end);
}

/** attributes, lastOffsetDelta, firstTimestamp, maxTimestamp, producerId, producerEpoch, firstSequence, record count. */
const BODY_HEADER = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

const str16Size = (s: string | null) => 2 + (s == null ? 0 : Buffer.byteLength(s, 'utf8'));

function writeStr16(buf: Buffer, at: number, s: string | null): number {
  if (s == null) return buf.writeInt16BE(-1, at);
  const n = Buffer.byteLength(s, 'utf8');
  at = buf.writeInt16BE(n, at);
  return at + buf.write(s, at, n, 'utf8');
}

function writeInt64(buf: Buffer, at: number, v: LongLike): number {
  at = buf.writeInt32BE(v.getHighBits(), at);
  return buf.writeInt32BE(v.getLowBits(), at);
}

/** kafkajs' groupMessagesPerPartition, appending each message once instead of copying the array. */
export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (a: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}): Record<string, unknown[]> {
  if (partitionMetadata.length === 0) return {};
  const result: Record<string, unknown[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition];
    if (current) current.push(message);
    else result[partition] = [message];
  }
  return result;
}

export type FastProduceInstall = { produce: boolean; grouping: boolean; framing: boolean; reasons: string[] };

/** Whether produce requests take PreEncodedRecords (the fast produce request is installed). */
export function fastProduceActive(): boolean {
  return installed?.produce === true;
}

let installed: FastProduceInstall | undefined;

/**
 * Installs the fast record encoder, the one-pass produce request and the linear grouping. Call it
 * before anything loads kafkajs (the grouping needs that; the rest only before the first produce).
 */
export function installFastProduce(): FastProduceInstall {
  if (installed) return installed;
  installed = tryInstall();
  return installed;
}

function tryInstall(): FastProduceInstall {
  const versionProblem = kafkajsVersionProblem();
  if (versionProblem) return { produce: false, grouping: false, framing: false, reasons: [versionProblem] };
  const p = kafkajsPaths();
  const reasons: string[] = [];
  const rec = installFastRecordEncoder();
  if (!rec.installed) reasons.push(rec.reason);

  // Cache entries of our own for these module paths: the kafkajs modules that capture them at load
  // (sendMessages, connection) then require ours.
  const grouping = primeModule(p.group, groupMessagesPerPartition, [p.sendMessages]);
  if (!grouping) reasons.push('kafkajs producer loaded before the linear grouping was installed');
  const framing = primeModule(p.request, frameRequest, [p.connection]);
  if (!framing) reasons.push('kafkajs connection loaded before the one-pass request framing was installed');

  let produce = false;
  if (!rec.installed) reasons.push('produce request left to kafkajs (no fast record encoder)');
  else {
    const original = require(p.produceV3) as KafkajsProduceV3;
    const cached = require.cache[p.produceV3]!;
    const record = require(p.record) as KafkajsRecord; // the fast record encoder, falling back to kafkajs'
    const Long = require(p.long) as LongClass;
    const fast: KafkajsProduceV3 = (args) => {
      const request = original(args);
      const kafkajsEncode = request.encode;
      request.encode = async () => {
        const fastPayload = encodeProducePayload(args, Date.now(), record, Long);
        if (fastPayload) return fastPayload;
        if (args.topicData.some((t) => t.partitions.some((p) => p.messages.some((m) => m instanceof PreEncodedRecord)))) {
          throw new Error('pre-encoded Kafka records need the fast produce request (no compression, no message timestamps)');
        }
        return kafkajsEncode();
      };
      return request;
    };
    (fast as unknown as { kafkajsProduceV3: KafkajsProduceV3 }).kafkajsProduceV3 = original;
    cached.exports = fast;
    produce = true;
  }
  return { produce, grouping, framing, reasons };
}

/** Puts `exports` in the require cache under `file`, unless it or a module capturing it is loaded already. */
function primeModule(file: string, exports: unknown, capturedBy: string[]): boolean {
  if (require.cache[file] || capturedBy.some((f) => require.cache[f])) return false;
  const m = new (require('node:module') as { new (id: string): NodeJS.Module })(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  require.cache[file] = m;
  return true;
}

/** kafkajs' own produce v3 request (for the equality test). */
export function kafkajsProduceV3(): KafkajsProduceV3 {
  const current = require(kafkajsPaths().produceV3) as KafkajsProduceV3 & { kafkajsProduceV3?: KafkajsProduceV3 };
  return current.kafkajsProduceV3 ?? current;
}
