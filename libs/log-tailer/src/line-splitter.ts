/** One complete line: bytes [start, end) of `buf` (line break excluded), at byte `offset` of the file. */
export type LineVisitor = (buf: Buffer, start: number, end: number, offset: number) => void;

export interface LineSplitterOptions {
  /** Lines without these bytes are counted but not visited: a cheap prefilter (memchr-speed search). */
  needle?: string;
  /** Longer lines are cut to this many bytes when visited (still one line, offsets stay exact). */
  maxLineBytes?: number;
}

/**
 * Splits a byte stream into lines and keeps exact byte offsets. A line is complete only at "\n"
 * ("\r\n" too); the rest waits for the next chunk or `end()` (a last line without a newline counts
 * in a one-shot read, while a follower keeps waiting for it). Bytes that are not UTF-8 pass through.
 */
export class LineSplitter {
  /** Complete lines seen, visited or not. */
  lines = 0;
  /** Lines longer than maxLineBytes (visited cut). */
  oversized = 0;
  private readonly needle?: Buffer;
  private readonly maxLine: number;
  private carry: Buffer | undefined;
  /** File offset of the first byte of `carry` (or of the next chunk when there is none). */
  private carryOffset: number;
  /** Bytes of an oversized line dropped so far (only its first maxLine bytes are kept). */
  private dropped = 0;

  constructor(private readonly visit: LineVisitor, opts: LineSplitterOptions = {}, startOffset = 0) {
    this.needle = opts.needle ? Buffer.from(opts.needle) : undefined;
    this.maxLine = opts.maxLineBytes ?? 1024 * 1024;
    this.carryOffset = startOffset;
  }

  /** File offset just after the last complete line: where a resumed read starts. */
  get committedOffset(): number {
    return this.carryOffset;
  }

  /** Bytes held for an incomplete last line. */
  get pendingBytes(): number {
    return (this.carry?.length ?? 0) + this.dropped;
  }

  push(chunk: Buffer): void {
    let buf = chunk;
    let base = this.carryOffset; // file offset of buf[0]
    if (this.carry) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.hold(chunk);
        return;
      }
      // Complete the carried line with the head of this chunk, then go on with the rest.
      const head = chunk.subarray(0, nl + 1);
      buf = this.dropped > 0 ? this.carry : Buffer.concat([this.carry, head]);
      const lineEnd = this.dropped > 0 ? buf.length : buf.length - 1;
      this.emit(buf, 0, lineEnd, base, this.carry.length + this.dropped + nl + 1);
      base += this.carry.length + this.dropped + nl + 1;
      this.carry = undefined;
      this.dropped = 0;
      buf = chunk.subarray(nl + 1);
    }
    this.scan(buf, base);
  }

  /** End of input: a last line without a newline is a line too. */
  end(): void {
    if (this.carry || this.dropped > 0) {
      const carry = this.carry ?? Buffer.alloc(0);
      this.emit(carry, 0, carry.length, this.carryOffset, carry.length + this.dropped);
      this.carry = undefined;
      this.dropped = 0;
    }
  }

  private scan(buf: Buffer, base: number): void {
    const needle = this.needle;
    let pos = 0;
    let next = needle ? buf.indexOf(needle, 0) : 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) break;
      if (needle && (next < 0 || next > nl)) {
        this.lines++;
      } else {
        this.emit(buf, pos, nl, base + pos, nl + 1 - pos);
        if (needle && next >= 0 && next <= nl) next = buf.indexOf(needle, nl + 1);
      }
      pos = nl + 1;
    }
    this.carryOffset = base + pos;
    if (pos < buf.length) this.hold(buf.subarray(pos));
  }

  /** Keeps an incomplete line (a copy: the chunk's memory may be reused by the reader). */
  private hold(part: Buffer): void {
    const have = this.carry?.length ?? 0;
    const room = this.maxLine - have;
    if (room <= 0) {
      this.dropped += part.length;
      return;
    }
    const keep = part.length <= room ? part : part.subarray(0, room);
    this.carry = this.carry ? Buffer.concat([this.carry, keep]) : Buffer.from(keep);
    this.dropped += part.length - keep.length;
  }

  private emit(buf: Buffer, start: number, end: number, offset: number, totalBytes: number): void {
    this.lines++;
    let e = end;
    if (e > start && buf[e - 1] === 13) e--;
    if (this.dropped > 0 || e - start > this.maxLine) this.oversized++;
    if (e - start > this.maxLine) e = start + this.maxLine;
    this.visit(buf, start, e, offset);
    this.carryOffset = offset + totalBytes;
  }
}
