import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

const CHUNK = 1 << 20;

export interface LogInput {
  chunks: AsyncIterable<Buffer>;
  /** Compressed bytes read so far (for progress). */
  bytesRead(): number;
  /** Size on disk, when known (regular files). */
  size?: number;
  gzip: boolean;
}

/**
 * Opens a log for a one-shot read: a path, or "-" for stdin; gzip is recognised by its magic bytes
 * (so `auth.log.2.gz` and a gzip on stdin both work). Large chunks: the reader is the hot path.
 */
export async function openLogInput(path: string): Promise<LogInput> {
  if (path !== '-') {
    const plain = await openPlainFile(path);
    if (plain) return plain;
  }
  const raw: Readable = path === '-' ? process.stdin : fs.createReadStream(path, { highWaterMark: CHUNK });
  const size = path === '-' ? undefined : (await fs.promises.stat(path)).size;
  const counter = { read: 0 };
  const first = await firstChunk(raw);
  const gzip = first !== undefined && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const replay = Readable.from(prepend(first, raw, counter), { objectMode: false });
  const chunks: AsyncIterable<Buffer> = gzip ? replay.pipe(zlib.createGunzip({ chunkSize: CHUNK })) : replay;
  return { chunks, bytesRead: () => counter.read, size, gzip };
}

function firstChunk(r: Readable): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      cleanup();
      resolve((r.read() as Buffer | null) ?? undefined);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      r.off('readable', onReadable);
      r.off('end', onEnd);
      r.off('error', onError);
    };
    r.once('readable', onReadable);
    r.once('end', onEnd);
    r.once('error', onError);
  });
}

async function* prepend(first: Buffer | undefined, rest: Readable, counter: { read: number }): AsyncGenerator<Buffer> {
  if (first) {
    counter.read += first.length;
    yield first;
  }
  for await (const c of rest) {
    counter.read += (c as Buffer).length;
    yield c as Buffer;
  }
}

/**
 * A regular file that is not gzip, read into one reused buffer: each chunk is valid until the next
 * is asked for (the readers here — LineSplitter — copy what they keep), so a 100 MB log costs one
 * 1 MiB buffer instead of a hundred, which would wait for garbage collection. undefined for gzip.
 */
async function openPlainFile(path: string): Promise<LogInput | undefined> {
  const fh = await fs.promises.open(path, 'r');
  try {
    // Not a regular file (a pipe, a device): the stream path, without reading a byte here first.
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      return undefined;
    }
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    if (bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b) {
      await fh.close();
      return undefined;
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  let read = 0;
  const buf = Buffer.allocUnsafe(CHUNK);
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK, read);
        if (bytesRead === 0) return;
        read += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  return { chunks: chunks(), bytesRead: () => read, size: (await fs.promises.stat(path)).size, gzip: false };
}
