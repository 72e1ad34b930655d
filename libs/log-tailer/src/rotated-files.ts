import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { FINGERPRINT_BYTES, fingerprintOfHead } from './file-identity';

/** A rotated copy of a followed file beside it: auth.log.1, auth.log.2.gz, auth.log-20240301, … */
export interface RotatedFile {
  file: string;
  gz: boolean;
  dev: number;
  ino: number;
  mtimeMs: number;
  /** N of a numbered rotation (auth.log.N, auth.log.N.gz): smaller is younger. */
  generation?: number;
}

/**
 * Names logrotate gives rotated copies: auth.log.1, auth.log.2.gz, auth.log-20240301(.gz),
 * auth.log-2024-03-01, auth.log-2024030112. Other files that merely start with the name (auth.log.bak,
 * auth.log.swp, a test's auth.log.truth) are not generations of the log.
 */
const ROTATED_SUFFIX = /^(?:\.(\d+)|[-._]\d[\d-]*)(?:\.gz)?$/;

/** The rotated copies of `followed` in its directory (regular files with a rotation name). */
export async function listRotated(followed: string): Promise<RotatedFile[]> {
  const dir = path.dirname(followed);
  const base = path.basename(followed);
  let names: string[];
  try {
    names = (await fs.promises.readdir(dir)).filter((n) => n !== base && n.startsWith(base));
  } catch {
    return [];
  }
  const out: RotatedFile[] = [];
  for (const n of names) {
    const numbered = ROTATED_SUFFIX.exec(n.slice(base.length));
    if (!numbered) continue;
    const file = path.join(dir, n);
    const st = await fs.promises.stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    out.push({ file, gz: n.endsWith('.gz'), dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, generation: numbered[1] !== undefined ? Number(numbered[1]) : undefined });
  }
  return out;
}

/**
 * The rotated copies written after `ref` (its younger generations), oldest first: by number for
 * numbered rotations (auth.log.2 is older than auth.log.1), else by modification time. These hold
 * lines written after `ref`'s, so they are read, whole, between the rest of `ref` and the current file.
 */
export function youngerThan(all: RotatedFile[], ref: RotatedFile, current?: { dev: number; ino: number }): RotatedFile[] {
  const younger = all.filter((f) => {
    if (f.file === ref.file || (f.dev === ref.dev && f.ino === ref.ino)) return false;
    if (current && f.dev === current.dev && f.ino === current.ino) return false;
    if (f.generation !== undefined && ref.generation !== undefined) return f.generation < ref.generation;
    return f.mtimeMs > ref.mtimeMs;
  });
  return younger.sort((a, b) => (a.generation !== undefined && b.generation !== undefined ? b.generation - a.generation : a.mtimeMs - b.mtimeMs));
}

/**
 * Fingerprint of a gzip file's decompressed content (the same first-line fingerprint as the plain
 * file it was compressed from); undefined when it cannot be read or has no first line.
 */
export async function gzFingerprint(file: string): Promise<string | undefined> {
  const gunzip = fs.createReadStream(file, { highWaterMark: 16 * 1024 }).pipe(zlib.createGunzip());
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of gunzip) {
      parts.push(chunk as Buffer);
      have += (chunk as Buffer).length;
      if (have >= FINGERPRINT_BYTES || (chunk as Buffer).includes(10)) break;
    }
  } catch {
    return undefined;
  } finally {
    gunzip.destroy();
  }
  return fingerprintOfHead(Buffer.concat(parts));
}
