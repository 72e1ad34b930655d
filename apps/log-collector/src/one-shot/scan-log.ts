import * as fs from 'node:fs';
// log-tailer's reading part, not its index: the one-shot commands need neither the followers nor mongoose.
import { fileIdText, fingerprintOf, LineSplitter, openLogInput } from '@watchkeeper/log-tailer/reading';
import { SshdParser } from '@watchkeeper/sshd-parser';
import type { OneShotOptions } from './options';

export interface ScanSummary {
  lines: number;
  parser: SshdParser;
}

const PROGRESS_EVERY_MS = 2000;

/** Handles one line that mentions "sshd" (text without its line break, byte offset in the file). */
export type LineHandler = (line: string, offset: number) => void;

/**
 * Reads a whole log once (file, stdin, gzip) and hands every line that mentions "sshd" to the handler
 * that `handlerFor` makes with the stream's parser and file identity (for event ids). Other lines are
 * only counted. Progress goes to stderr on long reads; `afterChunk` lets a writer apply backpressure
 * (the read waits for it).
 */
export async function scanLog(
  opts: OneShotOptions,
  handlerFor: (parser: SshdParser, fileId: string) => LineHandler,
  afterChunk?: () => Promise<void>,
): Promise<ScanSummary> {
  const input = await openLogInput(opts.file);
  const fileId = await describeFile(opts.file, input.gzip);
  const parser = new SshdParser({ defaultHost: opts.host, year: opts.year, timeZone: opts.timeZone });
  const handle = handlerFor(parser, fileId);
  const splitter = new LineSplitter((buf, start, end, offset) => handle(buf.toString('utf8', start, end), offset), { needle: 'sshd' });
  const started = Date.now();
  let lastReport = started;
  for await (const chunk of input.chunks) {
    splitter.push(chunk);
    if (afterChunk) await afterChunk();
    const now = Date.now();
    if (now - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = now;
      const of = input.size ? ` of ${mb(input.size)}` : '';
      const rate = Math.round(splitter.lines / ((now - started) / 1000));
      process.stderr.write(`… ${splitter.lines} lines, ${mb(input.bytesRead())}${of} read, ${rate} lines/s\n`);
    }
  }
  splitter.end();
  if (afterChunk) await afterChunk();
  return { lines: splitter.lines, parser };
}

/** The file identity used in event ids: dev:ino:fingerprint for a plain file, else where it came from. */
async function describeFile(path: string, gzip: boolean): Promise<string> {
  if (path === '-') return gzip ? 'stdin-gz' : 'stdin';
  if (gzip) return `gz:${path.split('/').pop()}`;
  const fh = await fs.promises.open(path, 'r');
  try {
    const st = await fh.stat();
    return fileIdText({ dev: st.dev, ino: st.ino, fingerprint: await fingerprintOf(fh) });
  } finally {
    await fh.close();
  }
}

function mb(n: number): string {
  return `${(n / 1048576).toFixed(1)} MB`;
}
