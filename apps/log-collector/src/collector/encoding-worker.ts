import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PreEncodedRecord } from '@watchkeeper/kafka';
import type { EncodedFileBatch, FileBatchEncoderOptions } from './file-batch-encoder';

export type EncodingWorkerRequest =
  | { t: 'open'; options: FileBatchEncoderOptions }
  | { t: 'batch'; seq: number; fileId: string; texts: string[]; offsets: Float64Array }
  | { t: 'recycle'; chunks: ArrayBuffer[] };

export type EncodedFileBatchMessage =
  | {
      seq: number;
      ok: true;
      chunks: ArrayBuffer[];
      chunkOf: Int32Array;
      keyOf: Int32Array;
      starts: Int32Array;
      ends: Int32Array;
      keys: string[];
      sshd: number;
      unrecognized: number;
      invalid: EncodedFileBatch['invalid'];
      clock: EncodedFileBatch['clock'];
    }
  | { seq: number; ok: false; error: string };

/** Heap of the worker: parsing and encoding keep little (a batch at a time), so it is small. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/**
 * A FileBatchEncoder in a worker thread: the collector's thread reads the file and talks to Kafka and
 * MongoDB while the worker parses and encodes the next batch, so the two cores both work. Batches are
 * encoded in the order they are sent; `open` (re)starts the parser from a checkpoint's clock. A
 * worker that fails or exits rejects what it had, and the shipper starts over from its checkpoint
 * (with a new worker), as after any other error.
 */
export class EncodingWorker {
  private readonly worker: Worker;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (b: EncodedFileBatch) => void; reject: (e: Error) => void }>();
  dead = false;

  constructor() {
    this.worker = new Worker(path.join(__dirname, 'encoding-worker-main.js'), { resourceLimits: WORKER_LIMITS });
    this.worker.on('message', (m: EncodedFileBatchMessage) => this.settle(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`encoding worker exited (code ${code})`)));
  }

  open(options: FileBatchEncoderOptions): void {
    this.post({ t: 'open', options });
  }

  encode(fileId: string, lines: ReadonlyArray<{ text: string; offset: number }>): Promise<EncodedFileBatch> {
    if (this.dead) return Promise.reject(new Error('encoding worker is not running'));
    const seq = ++this.seq;
    const offsets = new Float64Array(lines.length);
    const texts = new Array<string>(lines.length);
    for (let i = 0; i < lines.length; i++) {
      texts[i] = lines[i].text;
      offsets[i] = lines[i].offset;
    }
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.post({ t: 'batch', seq, fileId, texts, offsets }, [offsets.buffer]);
    });
  }

  /**
   * Hands the chunks of a sent batch back to the worker to write over (transferred: the records'
   * bytes are gone from this thread afterwards, so only once Kafka acknowledged them).
   */
  recycle(records: readonly PreEncodedRecord[]): void {
    if (this.dead) return;
    const chunks = new Set<ArrayBuffer>();
    for (const r of records) chunks.add(r.buf.buffer as ArrayBuffer);
    const list = [...chunks];
    this.post({ t: 'recycle', chunks: list }, list);
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private post(m: EncodingWorkerRequest, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private settle(m: EncodedFileBatchMessage): void {
    const p = this.pending.get(m.seq);
    if (!p) return;
    this.pending.delete(m.seq);
    if (!m.ok) return p.reject(new Error(`encoding worker: ${m.error}`));
    const bufs = m.chunks.map((c) => Buffer.from(c));
    const records = new Array<PreEncodedRecord>(m.starts.length);
    for (let i = 0; i < records.length; i++) records[i] = new PreEncodedRecord(m.keys[m.keyOf[i]], bufs[m.chunkOf[i]], m.starts[i], m.ends[i]);
    p.resolve({ records, sshd: m.sshd, unrecognized: m.unrecognized, invalid: m.invalid, clock: m.clock });
  }

  private fail(err: Error): void {
    this.dead = true;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
