import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { FileIdentity } from './file-identity';
import { LineSplitter } from './line-splitter';

export interface GzReaderOptions {
  needle?: string;
  maxLineBytes?: number;
}

/**
 * Reads a gzip-compressed rotated file from a decompressed byte offset to its end, splitting lines
 * like a plain file (a rotated file is complete: its last line counts without a newline). Lines
 * carry `identity`, the identity of the file the bytes were read from before it was compressed, so
 * their offsets and event ids continue the checkpoint's.
 */
export class GzReader {
  readonly splitter: LineSplitter;
  pending: Array<{ offset: number; text: string }> = [];
  /** Decompressed bytes passed so far (skipped ones included). */
  private position = 0;
  private ended = false;
  private readonly stream: Readable;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(
    readonly name: string,
    readonly identity: FileIdentity,
    private readonly offset: number,
    opts: GzReaderOptions = {},
  ) {
    this.stream = fs.createReadStream(name, { highWaterMark: 256 * 1024 }).pipe(zlib.createGunzip({ chunkSize: 256 * 1024 }));
    this.chunks = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.splitter = new LineSplitter((buf, start, end, off) => this.pending.push({ offset: off, text: buf.toString('utf8', start, end) }), opts, offset);
  }

  /**
   * Decompresses up to about `maxBytes` more; true at the end of the file. Throws when the file
   * ends before `offset` or is corrupt: the caller reports the rest as lost.
   */
  async readSome(maxBytes: number): Promise<boolean> {
    if (this.ended) return true;
    let pushed = 0;
    while (pushed < maxBytes) {
      const { value, done } = await this.chunks.next();
      if (done) {
        if (this.position < this.offset) throw new Error(`${this.name} ends at ${this.position}, before the checkpoint's offset ${this.offset}`);
        this.splitter.end();
        this.ended = true;
        return true;
      }
      const chunk = value;
      const start = this.position;
      this.position += chunk.length;
      if (this.position <= this.offset) continue;
      const part = start < this.offset ? chunk.subarray(this.offset - start) : chunk;
      this.splitter.push(part);
      pushed += part.length;
    }
    return false;
  }

  close(): void {
    this.stream.destroy();
  }
}
