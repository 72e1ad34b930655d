import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A faster encoder for one Kafka record (RecordBatch v2 record: length, attributes, timestamp and
 * offset deltas, key, value, headers), plugged into kafkajs in place of its own
 * `protocol/recordBatch/record/v0`. kafkajs builds every record from one Encoder per record plus one
 * per header, each a zero-filled 512-byte Buffer, and its varlongs through a Long class — most of its
 * ≈ 30 µs per message with CloudEvents headers. This one sizes the record first and writes it into a
 * single Buffer. Byte-identical to kafkajs' encoding (fast-record-encoder.spec.ts compares them),
 * and only installed on the kafkajs version it was checked against; any input outside the plain
 * shape (values that are neither string nor Buffer, non-integer deltas, …) goes to kafkajs' encoder.
 */
export const FAST_RECORD_KAFKAJS_VERSION = '2.2.4';

/** What kafkajs' produce request hands to the record encoder. */
export interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: Buffer | string | null;
  value?: Buffer | string | null;
  headers?: Record<string, Buffer | string | Array<Buffer | string>>;
}

/** The part of kafkajs' Encoder that its RecordBatch reads from a record: `buf` (checked), `buffer`, `size()`. */
export class EncodedRecord {
  constructor(readonly buf: Buffer) {}
  get buffer(): Buffer {
    return this.buf;
  }
  size(): number {
    return this.buf.length;
  }
}

type KafkajsRecord = (input: RecordInput) => { buffer: Buffer };

const MAX_SAFE_DELTA = 2 ** 52;

/** Encodes like kafkajs' Record v0; `fallback` (kafkajs' own) takes what this one does not handle. */
export function encodeRecord(input: RecordInput, fallback: KafkajsRecord): EncodedRecord | ReturnType<KafkajsRecord> {
  const offsetDelta = input.offsetDelta ?? 0;
  const timestampDelta = input.timestampDelta ?? 0;
  const { key, value } = input;
  const headers = input.headers ?? {};
  if (!Number.isInteger(offsetDelta) || offsetDelta < 0 || offsetDelta > 0x3fffffff) return fallback(input);
  if (!Number.isInteger(timestampDelta) || Math.abs(timestampDelta) > MAX_SAFE_DELTA) return fallback(input);
  if (!plainBytes(key) || !plainBytes(value) || typeof headers !== 'object' || headers === null) return fallback(input);

  // Header key/value pairs, as kafkajs flattens them (an array value gives one header per element).
  const names = Object.keys(headers);
  const pairKeys: string[] = [];
  const pairValues: Array<Buffer | string> = [];
  for (const name of names) {
    const v = headers[name];
    if (Array.isArray(v)) {
      for (const one of v) {
        if (!isBytes(one)) return fallback(input);
        pairKeys.push(name);
        pairValues.push(one);
      }
    } else {
      if (!isBytes(v)) return fallback(input);
      pairKeys.push(name);
      pairValues.push(v);
    }
  }

  const tsZigZag = timestampDelta >= 0 ? timestampDelta * 2 : -timestampDelta * 2 - 1;
  const keyLen = key == null ? -1 : byteLength(key);
  const valueLen = value == null ? -1 : byteLength(value);
  let headersSize = sizeOfVarInt(pairKeys.length);
  const keyLens: number[] = new Array(pairKeys.length);
  const valueLens: number[] = new Array(pairKeys.length);
  for (let i = 0; i < pairKeys.length; i++) {
    keyLens[i] = Buffer.byteLength(pairKeys[i], 'utf8');
    valueLens[i] = byteLength(pairValues[i]);
    headersSize += sizeOfVarInt(keyLens[i]) + keyLens[i] + sizeOfVarInt(valueLens[i]) + valueLens[i];
  }
  const body =
    1 + sizeOfUVarLong(tsZigZag) + sizeOfVarInt(offsetDelta) + sizeOfVarInt(keyLen) + Math.max(keyLen, 0) + sizeOfVarInt(valueLen) + Math.max(valueLen, 0) + headersSize;
  const buf = Buffer.allocUnsafe(sizeOfVarInt(body) + body);
  let at = writeVarInt(buf, 0, body);
  buf[at++] = 0; // attributes
  at = writeUVarLong(buf, at, tsZigZag);
  at = writeVarInt(buf, at, offsetDelta);
  at = writeVarInt(buf, at, keyLen);
  if (key != null) at = writeBytes(buf, at, key, keyLen);
  at = writeVarInt(buf, at, valueLen);
  if (value != null) at = writeBytes(buf, at, value, valueLen);
  at = writeVarInt(buf, at, pairKeys.length);
  for (let i = 0; i < pairKeys.length; i++) {
    at = writeVarInt(buf, at, keyLens[i]);
    at += buf.write(pairKeys[i], at, keyLens[i], 'utf8');
    at = writeVarInt(buf, at, valueLens[i]);
    at = writeBytes(buf, at, pairValues[i], valueLens[i]);
  }
  if (at !== buf.length) return fallback(input); // cannot happen; kafkajs' bytes rather than wrong ones
  return new EncodedRecord(buf);
}

const isBytes = (v: unknown): v is Buffer | string => typeof v === 'string' || Buffer.isBuffer(v);
const plainBytes = (v: unknown) => v == null || isBytes(v);
const byteLength = (v: Buffer | string) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

function writeBytes(buf: Buffer, at: number, v: Buffer | string, len: number): number {
  if (typeof v === 'string') return at + buf.write(v, at, len, 'utf8');
  v.copy(buf, at);
  return at + len;
}

/** Zig-zag varint of a 32-bit integer, as kafkajs' writeVarInt (`value` from −2^31 to 2^31 − 1). */
export function sizeOfVarInt(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let n = 1;
  while (v >= 0x80) {
    v >>>= 7;
    n++;
  }
  return n;
}

export function writeVarInt(buf: Buffer, at: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at++] = v;
  return at;
}

/** An unsigned varint of a non-negative integer below 2^53 (the zig-zagged varlong). */
function sizeOfUVarLong(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

function writeUVarLong(buf: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

/** The kafkajs modules the fast paths replace or read, resolved from the kafkajs this process loads. */
export function kafkajsPaths() {
  const dir = path.dirname(require.resolve('kafkajs'));
  const src = (p: string) => path.join(dir, 'src', p);
  return {
    dir,
    index: path.join(dir, 'index.js'),
    produceV3: src('protocol/requests/produce/v3/request.js'),
    record: src('protocol/recordBatch/record/v0/index.js'),
    long: src('utils/long.js'),
    group: src('producer/groupMessagesPerPartition.js'),
    request: src('protocol/request.js'),
    connection: src('network/connection.js'),
    sendMessages: src('producer/sendMessages.js'),
  };
}

/** Why the fast paths must not replace anything in this kafkajs (another version than the checked one); undefined when they may. */
export function kafkajsVersionProblem(): string | undefined {
  const version = (JSON.parse(fs.readFileSync(path.join(kafkajsPaths().dir, 'package.json'), 'utf8')) as { version: string }).version;
  return version === FAST_RECORD_KAFKAJS_VERSION ? undefined : `kafkajs ${version} is not the checked ${FAST_RECORD_KAFKAJS_VERSION}`;
}

export type FastRecordInstall = { installed: true } | { installed: false; reason: string };

let installState: FastRecordInstall | undefined;

/**
 * Puts the fast encoder in place of kafkajs' record encoder for this process. Must run before the
 * first produce request loads kafkajs' produce v3 module (which captures the encoder once); says why
 * when it cannot (another kafkajs version, or too late), and kafkajs' own encoder stays in use.
 */
export function installFastRecordEncoder(): FastRecordInstall {
  if (installState) return installState;
  installState = tryInstall();
  return installState;
}

function tryInstall(): FastRecordInstall {
  const versionProblem = kafkajsVersionProblem();
  if (versionProblem) return { installed: false, reason: versionProblem };
  const p = kafkajsPaths();
  if (require.cache[p.produceV3]) return { installed: false, reason: 'kafkajs produce requests were loaded before the fast encoder was installed' };
  const original = require(p.record) as KafkajsRecord;
  const cached = require.cache[p.record];
  if (!cached) return { installed: false, reason: 'kafkajs record module is not in the require cache' };
  const fast = (input: RecordInput) => encodeRecord(input, original);
  (fast as unknown as { kafkajsRecord: KafkajsRecord }).kafkajsRecord = original;
  cached.exports = fast;
  return { installed: true };
}

/** kafkajs' own record encoder (for the equality test and the benchmark). */
export function kafkajsRecordEncoder(): KafkajsRecord {
  const p = kafkajsPaths();
  const current = require(p.record) as KafkajsRecord & { kafkajsRecord?: KafkajsRecord };
  return current.kafkajsRecord ?? current;
}
