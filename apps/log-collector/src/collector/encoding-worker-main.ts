// The encoding worker's entry (a worker thread started by EncodingWorker): parses and encodes the
// batches it is sent with one FileBatchEncoder, in order, and hands the record bytes back by transfer.
import { parentPort } from 'node:worker_threads';
import { FileBatchEncoder, type FileBatchEncoderOptions } from './file-batch-encoder';
import type { EncodedFileBatchMessage, EncodingWorkerRequest } from './encoding-worker';

let encoder: FileBatchEncoder | undefined;

parentPort!.on('message', (m: EncodingWorkerRequest) => {
  if (m.t === 'open') {
    encoder = new FileBatchEncoder(m.options as FileBatchEncoderOptions);
    return;
  }
  if (m.t === 'recycle') {
    encoder?.recycle(m.chunks.map((c) => Buffer.from(c)));
    return;
  }
  try {
    if (!encoder) throw new Error('encoding worker: batch before open');
    const b = encoder.encodeTexts(m.fileId, m.texts, m.offsets);
    encoder.newChunk(); // this batch's chunks leave with it
    const n = b.records.length;
    const chunks: ArrayBuffer[] = [];
    const chunkIndex = new Map<ArrayBufferLike, number>();
    const keys: string[] = [];
    const keyIndex = new Map<string, number>();
    const chunkOf = new Int32Array(n);
    const keyOf = new Int32Array(n);
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = b.records[i];
      let c = chunkIndex.get(r.buf.buffer);
      if (c === undefined) {
        c = chunks.length;
        chunks.push(r.buf.buffer as ArrayBuffer);
        chunkIndex.set(r.buf.buffer, c);
      }
      let k = keyIndex.get(r.key);
      if (k === undefined) {
        k = keys.length;
        keys.push(r.key);
        keyIndex.set(r.key, k);
      }
      chunkOf[i] = c;
      keyOf[i] = k;
      starts[i] = r.buf.byteOffset + r.start;
      ends[i] = r.buf.byteOffset + r.end;
    }
    const out: EncodedFileBatchMessage = { seq: m.seq, ok: true, chunks, chunkOf, keyOf, starts, ends, keys, sshd: b.sshd, unrecognized: b.unrecognized, invalid: b.invalid, clock: b.clock };
    parentPort!.postMessage(out, [...chunks, chunkOf.buffer, keyOf.buffer, starts.buffer, ends.buffer]);
  } catch (err) {
    parentPort!.postMessage({ seq: m.seq, ok: false, error: (err as Error).stack ?? String(err) });
  }
});
